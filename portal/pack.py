"""What the portal adds to the renewal decision pack: the value ledger's balance as both sides'
ledger pages show it (confirmed entries only)."""

from django.urls import reverse

from partnerships.conversion import RateHistory
from partnerships.currencies import reporting_currency
from partnerships.pack import Section, Table

from . import ledger


def _money(amount):
    return f"{amount:,.0f}"


def value_ledger(partnership, *, today):
    entries = ledger.recent_entries(partnership)
    rates = RateHistory({e.currency for e in entries})
    rows = ledger.balance(entries, rates)
    if not rows:
        return Section(title="Value ledger", empty="No confirmed value exchanged yet.")
    partner = partnership.partner.name
    currency = reporting_currency()
    left_out = ledger.unconverted(entries, rates)
    to_us = sum(r["to_us"] for r in rows)
    to_partner = sum(r["to_partner"] for r in rows)
    last = rows[-1]
    return Section(
        title="Value ledger",
        figures=[
            (f"Delivered by {partner}", f"{_money(to_us)} {currency}"),
            ("Delivered by us", f"{_money(to_partner)} {currency}"),
            ("Net, to us", f"{_money(last['net'])} {currency}"),
        ],
        lines=[
            f"Left out, no rate: {e.description}, {_money(e.amount)} {e.currency} "
            f"on {e.occurred_on:%-d %b %Y}"
            for e in left_out
        ],
        table=Table(
            ["Quarter", f"By {partner} ({currency})", f"By us ({currency})", "Net to date"],
            [
                [r["label"], _money(r["to_us"]), _money(r["to_partner"]), _money(r["net"])]
                for r in rows
            ],
        ),
        link=reverse("partner_access:ledger", args=[partnership.pk]),
    )
