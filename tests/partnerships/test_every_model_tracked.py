"""No stale page by construction: every model of every installed app is tracked, with no list
to keep. Each model (new ones included) is created, updated and deleted here, each write in
its own transaction; each must move the data version on, and every cached page must then be
built again instead of served from the cache."""

import itertools
from datetime import date, timedelta
from decimal import Decimal

import pytest
from django.apps import apps
from django.contrib.auth import get_user_model
from django.db import models
from django.utils import timezone

from partnerships import changes, pagecache
from partnerships.panels import panels

pytestmark = pytest.mark.django_db(transaction=True)

MODELS = sorted(
    (
        model
        for model in apps.get_models(include_auto_created=True)
        # A proxy writes its model's table, written already.
        if model._meta.db_table not in changes.UNTRACKED and not model._meta.proxy
    ),
    key=lambda model: model._meta.label,
)
_serial = itertools.count(1)


def test_every_table_but_the_few_shown_on_no_page_is_tracked():
    every = {m._meta.db_table for m in apps.get_models(include_auto_created=True)}
    assert changes.tracked_tables() == every - set(changes.UNTRACKED)
    assert set(changes.UNTRACKED) <= every  # no stale name in the list of exceptions
    assert changes.version() is not None  # every tracked table has its trigger


def _value(field):
    """A value the database accepts for a required field that has no default."""
    if field.choices:
        return field.choices[0][0]
    kind = field.get_internal_type()
    unique = next(_serial)
    if kind in ("CharField", "SlugField", "TextField", "EmailField", "URLField"):
        text = f"x{unique}@example.com" if kind == "EmailField" else f"x{unique}"
        return text[: field.max_length] if field.max_length else text
    if kind == "DateField":
        return date(2026, 1, 1)
    if kind == "DateTimeField":
        return timezone.now()
    if kind == "DecimalField":
        return Decimal(1)
    if kind == "JSONField":
        return {}
    if kind == "BooleanField":
        return False
    if kind in ("FileField", "ImageField"):
        return f"x{unique}.csv"
    return 1  # integers and floats


def _a_user():
    return {"user": save(build(get_user_model()))}


def _a_day():
    return date(2000, 1, 1) + timedelta(days=next(_serial))


def _an_action_item():
    from governance.models import ActionItem

    return {"action_item": save(build(ActionItem))}


# What a check constraint asks for beyond the required fields (one person per role, one
# action per partner's update).
EXTRA = {
    "governance.GovernanceRole": _a_user,
    "portal.ActionUpdate": _an_action_item,
    "integration.Milestone": lambda: {"owner": save(build(get_user_model()))},
    # One rate per currency and day: the audit's event of a rate builds a second rate.
    "partnerships.ExchangeRate": lambda: {"valid_from": _a_day()},
    # A token has a scope and expires after it is made (check constraints).
    "api.ApiToken": lambda: {"scopes": ["read"], "expires_at": timezone.now() + timedelta(days=30)},
}


def build(model):
    """An unsaved ``model`` with every required field filled; the rows it points to are new
    ones, saved (so a one-to-one or a unique pair never collides with an existing row)."""
    label = model._meta.concrete_model._meta.label  # a proxy's constraints are its model's
    values = EXTRA[label]() if label in EXTRA else {}
    for field in model._meta.concrete_fields:
        if field.primary_key and field.auto_created or isinstance(field, models.AutoField):
            continue
        if field.name in values or field.attname in values:
            continue  # given by EXTRA
        if field.null or field.has_default() or getattr(field, "auto_now_add", False):
            continue
        if getattr(field, "auto_now", False):
            continue
        if field.is_relation:
            values[field.name] = save(build(field.related_model))
        elif not (field.blank and field.empty_strings_allowed):
            values[field.attname] = _value(field)
    return model(**values)


def save(instance):
    instance.save(force_insert=True)
    return instance


class CachedPages:
    """The partnership page, its panels and the portfolio, as an executive sees them: whether
    each request was built or served from the cache."""

    def __init__(self, client, coo, partnership, monkeypatch):
        client.force_login(coo)
        self.client = client
        url = partnership.get_absolute_url()
        self.pages = [
            (url, {}),
            (url, {"HX-Request": "true"}),
            ("/partnerships/", {}),
            *((panel.url(partnership), {"HX-Request": "true"}) for panel in panels()),
        ]
        self.built = 0
        render = pagecache.render_to_string

        def counting(*args, **kwargs):
            self.built += 1
            return render(*args, **kwargs)

        monkeypatch.setattr(pagecache, "render_to_string", counting)

    def rebuilt(self):
        """How many pages were built on this round of requests."""
        before = self.built
        for url, headers in self.pages:
            assert self.client.get(url, headers=headers).status_code == 200, url
        return self.built - before


@pytest.fixture
def cached_pages(client, coo, partnership, monkeypatch):
    pages = CachedPages(client, coo, partnership, monkeypatch)
    pages.rebuilt()
    assert pages.rebuilt() == 0  # all served from the cache while nothing changes
    return pages


def write(kind, instance):
    model = type(instance)
    if kind == "create":
        return save(instance)
    rows = model._base_manager.filter(pk=instance.pk)
    if kind == "update":  # a real UPDATE of the row, even if it sets what was there
        field = next(f for f in model._meta.concrete_fields if not f.primary_key)
        return rows.update(**{field.attname: models.F(field.attname)})
    return rows.delete()


def test_each_write_to_each_model_moves_the_version_and_rebuilds_every_cached_page(
    cached_pages,
):
    """One test for all models: a transactional test empties the database after it, which
    costs more than the writes themselves."""
    missed = []
    for model in MODELS:
        instance = build(model)
        cached_pages.rebuilt()  # the rows ``build`` saved were writes too: cache them again
        for kind in ("create", "update", "delete"):
            before = changes.version()
            write(kind, instance)
            after = changes.version()
            if before is None or after is None or after <= before:
                missed.append(f"{kind} of {model._meta.label} left the version at {after}")
            elif kind == "create" and cached_pages.rebuilt() != len(cached_pages.pages):
                missed.append(f"a cached page was served after a {kind} of {model._meta.label}")
    assert not missed
