"""Main-menu entries contributed by the apps (``plugins.Nav``)."""

from .plugins import Nav, contributed

NavItem = Nav


def nav_items(*, executive):
    items = sorted(contributed("nav"), key=lambda i: (i.order, i.label))
    return [item for item in items if executive or not item.executive_only]
