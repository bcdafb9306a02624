"""What the portal adds to the renewal decision pack: the value ledger's balance as both sides'
ledger pages show it (confirmed entries only)."""

from django.urls import reverse

from partnerships.pack import Section, Table

from . import ledger


def _money(amount):
    return f"{amount:,.0f}"


def value_ledger(partnership, *, today):
    rows = ledger.balance(ledger.recent_entries(partnership))
    if not rows:
        return Section(title="Value ledger", empty="No confirmed value exchanged yet.")
    partner = partnership.partner.name
    to_us = sum(r["to_us"] for r in rows)
    to_partner = sum(r["to_partner"] for r in rows)
    last = rows[-1]
    return Section(
        title="Value ledger",
        figures=[
            (f"Delivered by {partner}", _money(to_us)),
            ("Delivered by us", _money(to_partner)),
            ("Net, to us", _money(last["net"])),
        ],
        table=Table(
            ["Quarter", f"By {partner}", "By us", "Net to date"],
            [
                [r["label"], _money(r["to_us"]), _money(r["to_partner"]), _money(r["net"])]
                for r in rows
            ],
        ),
        link=reverse("partner_access:ledger", args=[partnership.pk]),
    )
