"""Main-menu entries contributed by the apps (``plugins.Nav``)."""

from .plugins import Nav, contributed

NavItem = Nav


def nav_items(*, role):
    """The entries a user of ``role`` can open, in menu order."""
    items = sorted(contributed("nav"), key=lambda i: (i.order, i.label))
    return [item for item in items if role in item.for_roles]
