"""Main-menu entries contributed by other apps (registered from ``AppConfig.ready``)."""

from dataclasses import dataclass

from django.urls import reverse


@dataclass(frozen=True)
class NavItem:
    label: str
    url_name: str
    order: int
    executive_only: bool

    @property
    def url(self):
        return reverse(self.url_name)


_items = {}


def register_nav(label, url_name, *, order=100, executive_only=False):
    _items[url_name] = NavItem(label, url_name, order, executive_only)


def nav_items(*, executive):
    items = sorted(_items.values(), key=lambda i: (i.order, i.label))
    return [item for item in items if executive or not item.executive_only]
