"""Panels of the partnership page, contributed by the apps (``plugins.Panel``).

The page loads every panel from its own URL (an HTMX fragment rendered by the app that declares
it) in the slot the panel names, so a new panel never means editing this app.
"""

from .plugins import Panel, Slot, contributed

__all__ = ["Panel", "Slot", "panels", "placed"]


def panels():
    return sorted(contributed("panels"), key=lambda p: (p.order, p.key))


def placed(partnership):
    """{slot: [(panel, its URL for ``partnership``)]} for every slot, each in panel order."""
    out = {slot: [] for slot in Slot}
    for panel in panels():
        out[Slot(panel.slot)].append((panel, panel.url(partnership)))
    return out
