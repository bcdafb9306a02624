"""The mutual benefit ledger: value delivered each way, entered by one side and confirmed by
the other. Only confirmed entries count. The balance is money (revenue and cost saved) delivered
to us minus money delivered to the partner, cumulated over quarters; effort in person-days is
balanced the same way. An imbalance that grew two quarters running, and is over a fifth of
the money exchanged, is flagged as widening."""

from decimal import Decimal, InvalidOperation

from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone
from django.utils.dateparse import parse_date

from partnerships.conversion import NoRate
from partnerships.currencies import is_code, reporting_currency

from .healthchecks import quarter_label, quarter_of
from .models import LedgerEntry

MONEY = (LedgerEntry.Kind.REVENUE, LedgerEntry.Kind.COST_SAVED)
AMOUNT_MAX = Decimal("1000000000")
WIDENING_SHARE = Decimal("0.2")
SIDES = ("ours", "partner")


def parse(data, *, today=None):
    today = today or timezone.localdate()
    errors, values = {}, {}
    if data.get("delivered_by") not in SIDES:
        errors["delivered_by"] = "Say which side delivered the value."
    values["delivered_by"] = data.get("delivered_by")
    if data.get("kind") not in LedgerEntry.Kind.values:
        errors["kind"] = "Choose what kind of value it was."
    values["kind"] = data.get("kind")
    raw = (data.get("amount") or "").strip().replace(",", "")
    try:
        amount = Decimal(raw)
        if not amount.is_finite():
            raise InvalidOperation
    except InvalidOperation:
        errors["amount"] = f"“{raw}” is not an amount; write a number such as 12500 or 3.5."
    else:
        if amount <= 0:
            errors["amount"] = (
                "The amount must be more than zero; record value the other way instead."
            )
        elif amount >= AMOUNT_MAX:
            errors["amount"] = "That amount is too large; check the number of digits."
        elif amount.as_tuple().exponent < -2:
            errors["amount"] = "Use at most two decimal places."
        values["amount"] = amount
    currency = (data.get("currency") or "").strip().upper() or reporting_currency()
    if not is_code(currency):
        errors["currency"] = f"“{currency}” is not a currency we know; choose one from the list."
    values["currency"] = currency
    description = (data.get("description") or "").strip()
    if not description:
        errors["description"] = "Describe the value in a few words."
    elif len(description) > 300:
        errors["description"] = (
            f"Keep the description under 300 characters ({len(description)} now)."
        )
    values["description"] = description
    occurred = parse_date((data.get("occurred_on") or "").strip())
    if occurred is None:
        errors["occurred_on"] = "Give the date as YYYY-MM-DD."
    elif occurred > today:
        errors["occurred_on"] = "The date cannot be in the future."
    values["occurred_on"] = occurred
    if errors:
        raise ValidationError(errors)
    return values


def add(*, partnership, side, data, by):
    return LedgerEntry.objects.create(
        partnership=partnership, entered_side=side, entered_by=by, **parse(data)
    )


def decide(*, entry, side, by, confirm, reason=""):
    """The other side confirms or disputes an entry (with a reason)."""
    if entry.entered_side == side:
        raise PermissionDenied("The other side confirms an entry; you entered this one.")
    if entry.state != LedgerEntry.State.PENDING:
        raise PermissionDenied("This entry has already been decided.")
    reason = (reason or "").strip()
    if not confirm and not reason:
        raise ValidationError("Say why you dispute this entry.")
    entry.state = LedgerEntry.State.CONFIRMED if confirm else LedgerEntry.State.DISPUTED
    entry.dispute_reason = "" if confirm else reason
    entry.decided_by = by
    entry.decided_at = timezone.now()
    entry.save(update_fields=["state", "dispute_reason", "decided_by", "decided_at"])
    return entry


RECENT = 200


def recent_entries(partnership):
    """The entries both sides' ledger pages list and balance, newest first."""
    return list(
        LedgerEntry.objects.filter(partnership=partnership).select_related(
            "entered_by", "decided_by"
        )[:RECENT]
    )


def in_reporting_currency(entry, rates):
    """A money entry's amount in the reporting currency at the rate of its date (``rates``, a
    ``conversion.RateHistory``); None when there is no rate, so it is left out, not guessed."""
    currency = getattr(entry, "currency", None) or reporting_currency()
    if rates is None:
        return entry.amount if currency == reporting_currency() else None
    try:
        return rates.convert(entry.amount, currency, entry.occurred_on)
    except NoRate:
        return None


def unconverted(entries, rates):
    """Confirmed money entries with no rate for their currency on their date: left out of the
    balance, and listed beside it."""
    return [
        e
        for e in entries
        if e.state == LedgerEntry.State.CONFIRMED
        and e.kind in MONEY
        and in_reporting_currency(e, rates) is None
    ]


def balance(entries, rates=None):
    """Per quarter (oldest first): money and effort each way, and the cumulative net money
    balance (positive: the partner has delivered more to us), money in the reporting currency.
    Confirmed entries only."""
    quarters = {}
    for e in entries:
        if e.state != LedgerEntry.State.CONFIRMED:
            continue
        amount = in_reporting_currency(e, rates) if e.kind in MONEY else e.amount
        if amount is None:
            continue
        q = quarters.setdefault(
            quarter_of(e.occurred_on),
            {
                "to_us": Decimal(0),
                "to_partner": Decimal(0),
                "effort_us": Decimal(0),
                "effort_partner": Decimal(0),
            },
        )
        received = "to_us" if e.delivered_by == "partner" else "to_partner"
        if e.kind in MONEY:
            q[received] += amount
        elif e.kind == LedgerEntry.Kind.EFFORT:
            # Effort is what the deliverer spent.
            q["effort_partner" if e.delivered_by == "partner" else "effort_us"] += e.amount
    rows, net, exchanged = [], Decimal(0), Decimal(0)
    for quarter in sorted(quarters):
        q = quarters[quarter]
        net += q["to_us"] - q["to_partner"]
        exchanged += q["to_us"] + q["to_partner"]
        rows.append(
            {
                "quarter": quarter,
                "label": quarter_label(quarter),
                **q,
                "net": net,
                "exchanged": exchanged,
            }
        )
    return rows


def widening(rows):
    """The imbalance grew in each of the last two quarters and is over a fifth of the money
    exchanged so far: who is ahead, or None."""
    if len(rows) < 3:
        return None
    a, b, c = (abs(r["net"]) for r in rows[-3:])
    last = rows[-1]
    if a < b < c and last["exchanged"] and c > WIDENING_SHARE * last["exchanged"]:
        return "ours" if last["net"] > 0 else "partner"
    return None
