"""Panels of the partnership page contributed by other apps.

Each app registers its panels from ``AppConfig.ready``; the page loads every panel from its own
URL (an HTMX fragment rendered by that app), so a new panel never means editing this app.
"""

from dataclasses import dataclass

from django.urls import reverse


@dataclass(frozen=True)
class Panel:
    key: str
    title: str
    url_name: str
    order: int = 100
    wide: bool = False

    def url(self, partnership):
        return reverse(self.url_name, kwargs={"pk": partnership.pk})


_panels = {}


def register_panel(key, title, url_name, *, order=100, wide=False):
    _panels[key] = Panel(key, title, url_name, order, wide)


def panels():
    return sorted(_panels.values(), key=lambda p: (p.order, p.key))
