"""URLs for pages and emails that link many rows: ``reverse()`` costs tens of microseconds, so
each URL name is reversed once per script prefix and URLconf and the row's id put in place."""

import functools

from django.conf import settings
from django.urls import get_script_prefix, get_urlconf, reverse

_ANY_PK = 2_147_483_647


@functools.lru_cache(maxsize=64)
def _reversed(name, prefix, urlconf):
    # ``prefix`` and ``urlconf`` only key the cache: ``reverse()`` reads both itself.
    return reverse(name)


@functools.lru_cache(maxsize=64)
def _reversed_with_pk(name, prefix, urlconf):
    head, _, tail = reverse(name, args=[_ANY_PK]).rpartition(str(_ANY_PK))
    return head, tail


def _key(name):
    return name, get_script_prefix(), get_urlconf(settings.ROOT_URLCONF)


def path_maker(name):
    """``fn(pk) == reverse(name, args=[pk])`` for a URL taking one integer: for a loop over
    many rows, which then pays only the formatting."""
    head, tail = _reversed_with_pk(*_key(name))
    return lambda pk: f"{head}{int(pk)}{tail}"


def url(name, pk=None):
    """``reverse(name)``, or ``reverse(name, args=[pk])`` for an integer pk."""
    if pk is None:
        return _reversed(*_key(name))
    head, tail = _reversed_with_pk(*_key(name))
    return f"{head}{int(pk)}{tail}"
