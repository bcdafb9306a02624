"""Facts the apps add to the header of the partnership page (health, sponsor, ...).

A source is a ``plugins.HeaderFact``: ``fn(partnership) -> Fact | None`` (at most one query),
declared by the app that knows the fact, so this app never imports it.
"""

from dataclasses import dataclass

from .plugins import contributed


@dataclass(frozen=True)
class Fact:
    label: str
    value: str
    detail: str = ""  # a short explanation shown next to the value
    tone: str = ""  # "", "green", "amber", "red", "blue"
    url: str = ""


def facts(partnership):
    sources = sorted(contributed("facts"), key=lambda s: s.order)
    found = (source.fn(partnership) for source in sources)
    return [fact for fact in found if fact]
