"""Rendered fragments of pages, cached under the version of the data they show.

A fragment is stored under ``changes.version()`` and the code that renders it, so a committed
write to any tracked table, or a deploy, makes every cached fragment unreachable: nothing served
from here is older than the last commit. The timeout only bounds memory (search terms make many
keys); it is not what keeps fragments fresh.
"""

import functools
import hashlib
import os
from pathlib import Path

import django
from django.apps import apps
from django.conf import settings
from django.core.cache import cache
from django.utils.safestring import mark_safe

from . import changes

TIMEOUT = 600


@functools.cache
def code_fingerprint():
    """A digest of the project's Python modules and templates, Django's version and the
    settings that change how pages render: fragments rendered by other code are not reused."""
    digest = hashlib.blake2b(digest_size=8)
    for value in (django.get_version(), settings.TIME_ZONE, settings.LANGUAGE_CODE):
        digest.update(value.encode())
    root = Path(settings.BASE_DIR).resolve()
    folders = {Path(app.path).resolve() for app in apps.get_app_configs()}
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


def fragment(key, render):
    """``render()``'s HTML, from the cache when the data has not changed since it was stored."""
    version = changes.version()
    if version is None:
        return render()
    # Hashed: the key holds a query string (any length, any character).
    digest = hashlib.blake2b(key.encode(), digest_size=16).hexdigest()
    full_key = f"fragment:{code_fingerprint()}:{version}:{digest}"
    html = cache.get(full_key)
    if html is None:
        html = str(render())
        cache.set(full_key, html, TIMEOUT)
    return mark_safe(html)
