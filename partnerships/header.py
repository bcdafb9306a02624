"""Facts other apps add to the header of the partnership page (health, sponsor, ...).

A source is ``fn(partnership) -> Fact | None`` (at most one query), registered from
``AppConfig.ready`` so this app never imports the apps that provide them.
"""

from dataclasses import dataclass


@dataclass(frozen=True)
class Fact:
    label: str
    value: str
    detail: str = ""  # a short explanation shown next to the value
    tone: str = ""  # "", "green", "amber", "red", "blue"
    url: str = ""


_sources = {}


def register_fact(key, fn, *, order=100):
    _sources[key] = (order, fn)


def facts(partnership):
    found = (fn(partnership) for _, fn in sorted(_sources.values(), key=lambda s: s[0]))
    return [fact for fact in found if fact]
