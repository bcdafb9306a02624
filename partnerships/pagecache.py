"""Rendered parts of pages, cached under the version of the data they show.

A part is stored under ``changes.version()`` and a digest of the code that renders it, so a
committed write to any tracked table, or a deploy, makes every stored part unreachable: nothing
served from here is older than the last commit. Each user has their own (what a page offers
depends on who looks), and everything that varies by request stays out of it: the page around
it is rendered for every request, and the CSRF token is put in on the way out. The timeout only
bounds memory (search terms make many keys); it is not what keeps parts fresh.
"""

import functools
import hashlib
import importlib
import logging
import os
from pathlib import Path

import django
from django.apps import apps
from django.conf import settings
from django.core.cache import cache
from django.http import HttpResponse
from django.middleware.csrf import get_token
from django.shortcuts import render
from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.safestring import mark_safe

from . import changes
from .cache import TolerantCache
from .htmx import wants_fragment
from .roles import role_label

TIMEOUT = 600
log = logging.getLogger(__name__)
# The cache only saves time: when it is down, pages are built as they were without it.
_cache = TolerantCache(cache)


@functools.cache
def code_fingerprint():
    """A digest of the project's Python modules and templates, Django's version and the
    settings: parts rendered by other code, or with other settings, are not reused (the cache
    outlives a deploy)."""
    digest = hashlib.blake2b(django.get_version().encode(), digest_size=8)
    for name in sorted(n for n in dir(settings) if n.isupper()):
        digest.update(f"{name}={getattr(settings, name)!r}".encode())
    root = Path(settings.BASE_DIR).resolve()
    folders = {Path(app.path).resolve() for app in apps.get_app_configs()}
    # And the project package beside the apps (URLs, settings).
    folders.add(Path(importlib.import_module(settings.ROOT_URLCONF).__file__).parent)
    folders = {f for f in folders if f.is_relative_to(root)}
    for engine in settings.TEMPLATES:
        folders.update(Path(d).resolve() for d in engine.get("DIRS", []))
    for folder in sorted(folders):
        for dirpath, dirnames, filenames in os.walk(folder):
            dirnames[:] = sorted(d for d in dirnames if not d.startswith((".", "__")))
            for name in sorted(filenames):
                if name.endswith((".py", ".html", ".txt")):
                    path = Path(dirpath, name)
                    digest.update(str(path.relative_to(root)).encode())
                    digest.update(path.read_bytes())
    return digest.hexdigest()


# Stands for the request's CSRF token in stored HTML, which must never hold anyone's token.
CSRF_HOLE = "csrf-token-hole-7f3a9c2e51d8b604"


def partial(request, template, context, *, key):
    """``template`` ("page.html#partial") rendered with ``context()`` for this request, or the
    HTML stored for the same key, template, user (with their role), day, query string and
    version of the data. ``key`` names the view and the object it shows; the rest is added
    here. Forms in it get the request's own CSRF token."""
    version = changes.version()
    if version is None:
        return render_to_string(template, context(), request)
    parts = [
        key,
        template,
        f"{role_label(request.user)}:{request.user.pk}",
        str(timezone.localdate()),
        request.META.get("QUERY_STRING", ""),
    ]
    # Hashed: the parts hold a query string (any length, any character).
    digest = hashlib.blake2b("\n".join(parts).encode(), digest_size=16).hexdigest()
    cache_key = f"fragment:{code_fingerprint()}:{version}:{digest}"
    html = _cache.get(cache_key)
    if html is None:
        html = render_to_string(template, {**context(), "csrf_token": CSRF_HOLE}, request)
        _cache.set(cache_key, str(html), TIMEOUT)
    if CSRF_HOLE in html:
        html = html.replace(CSRF_HOLE, get_token(request))
    return mark_safe(html)


def panel(request, template, context, *, key):
    """A panel of the partnership page: its ``panel`` partial from ``partial()`` when HTMX asks
    for it, or the whole page (the panel's link without JavaScript) rendered as usual."""
    if not wants_fragment(request):
        return render(request, template, context())
    return HttpResponse(partial(request, f"{template}#panel", context, key=key))
