"""Every URL pattern of the project, for every role, with malformed ids in the path and
malformed values in the query string and the form: never a server error.

Crafted input (other scripts' digits, numbers beyond PostgreSQL's bigint, signs, NUL bytes,
repeated keys) is a 404 or a form error; a 500 means a view trusted a value it should have
parsed with ``partnerships.ids``. Routes are walked from the resolver, so a new one is covered
the day it is added; ids come from the demo company, so views get past their lookups to the
code that reads the query string.
"""

import pytest
from django.apps import apps
from django.core.management import call_command
from django.db import transaction
from django.urls import URLPattern, URLResolver, get_resolver
from django.utils.datastructures import MultiValueDict

from partnerships.models import Partnership

# Values that once gave 500s, and their cousins.
BAD_VALUES = [
    "²",  # str.isdigit() says yes, int() says no
    "١٢",  # Arabic-Indic digits: int() reads them
    "１",  # a fullwidth one
    "99999999999999999999999",  # beyond bigint
    "9223372036854775808",  # bigint's maximum + 1
    "2147483648",  # integer's maximum + 1
    "-1",
    "",
    "1\x00",
    "1e3",
    " 7 ",
]
# Every name the views read from a query string or a form, and a few they might.
PARAMS = [
    "page", "ipage", "mpage", "partnership", "partner", "template", "objective", "meeting",
    "kpi", "period", "q", "sort", "next", "p", "stage", "type", "owner", "status", "health",
    "severity", "action", "item", "contact", "reason", "decision", "answer", "comment",
    "value", "amount", "date", "due_date", "score", "send", "alert", "import", "user",
]  # fmt: skip
# Path kwargs that are not ids.
TEXT_KWARGS = {"fmt": "csv", "token": "not-a-token", "uidb64": "MQ", "model": "kpis.kpi"}
# Text kwargs tried with these too.
TEXT_BAD = ["pdf", "%C2%B2", "x" * 300]
PATH_BAD = ["0", "2147483648", "9223372036854775808", "99999999999999999999999"]


def patterns(resolver=None, namespace="", prefix=""):
    """(name, pattern string, converters) for every URL pattern, admin's included."""
    for entry in (resolver or get_resolver()).url_patterns:
        if isinstance(entry, URLResolver):
            inner = f"{namespace}{entry.namespace}:" if entry.namespace else namespace
            yield from patterns(entry, inner, prefix + str(entry.pattern))
        elif isinstance(entry, URLPattern):
            yield f"{namespace}{entry.name}", entry


# Which model an id kwarg names, by kwarg, with the routes where ``pk`` is not a partnership.
KWARG_MODELS = {
    "pk": "partnerships.Partnership",
    "kpi_pk": "kpis.Kpi",
    "alert_pk": "kpis.Alert",
    "action_pk": "kpis.CorrectiveAction",
    "import_pk": "kpis.MeasurementImport",
    "checkpoint_pk": "kpis.Checkpoint",
    "item_pk": "governance.ChecklistItem",
    "evidence_pk": "governance.Evidence",
    "role_pk": "governance.GovernanceRole",
    "meeting_pk": "governance.Meeting",
    "cadence_pk": "governance.MeetingCadence",
    "review_pk": "governance.PerformanceReview",
    "risk_pk": "governance.Risk",
    "workstream_pk": "integration.Workstream",
    "milestone_pk": "integration.Milestone",
    "objective_pk": "partnerships.Objective",
    "contact_pk": "partnerships.Contact",
    "invitation_pk": "portal.Invitation",
    "profile_pk": "portal.PartnerUser",
    "submission_pk": "portal.Submission",
    "entry_pk": "portal.LedgerEntry",
    "document_pk": "contracts.Document",
    "version_pk": "contracts.DocumentVersion",
    "obligation_pk": "contracts.Obligation",
    "fulfilment_pk": "contracts.Fulfilment",
    "token_pk": "api.ApiToken",
    "webhook_pk": "webhooks.Webhook",
}
ROUTE_MODELS = {
    ("partnerships:partner_detail", "pk"): "partnerships.Partner",
    ("partnerships:partner_edit", "pk"): "partnerships.Partner",
    ("partnerships:contact_create", "pk"): "partnerships.Partner",
    ("partnerships:contact_edit", "pk"): "partnerships.Partner",
    ("partnerships:goal_edit", "pk"): "partnerships.StrategicGoal",
    ("partnerships:rate_edit", "pk"): "partnerships.ExchangeRate",
    ("digests:digest_detail", "pk"): "digests.Digest",
    ("governance:action_edit", "action_pk"): "governance.ActionItem",
    ("governance:action_done", "action_pk"): "governance.ActionItem",
    ("governance:action_reopen", "action_pk"): "governance.ActionItem",
    ("portal:item_update", "action_pk"): "governance.ActionItem",
    ("audit:object", "object_pk"): "kpis.Kpi",
}


def _object_id(name, kwarg, partnership):
    label = ROUTE_MODELS.get((name, kwarg)) or KWARG_MODELS.get(kwarg)
    if label is None:
        return 1
    model = apps.get_model(label)
    if label == "partnerships.Partnership":
        return partnership.pk
    if label == "partnerships.Partner":
        return partnership.partner_id
    for lookup in ("partnership", "checklist__partnership", "item__checklist__partnership"):
        try:
            found = model.objects.filter(**{lookup: partnership}).order_by("pk").first()
        except Exception:  # noqa: BLE001  (the model has no such path)
            continue
        if found:
            return found.pk
    found = model.objects.order_by("pk").first()
    return found.pk if found else 1


def _paths(name, pattern, partnership):
    """The route with real ids, then with each id replaced by a malformed one."""
    converters = pattern.pattern.converters
    kwargs = {}
    for kwarg in pattern.pattern.regex.groupindex:
        if kwarg in TEXT_KWARGS:
            kwargs[kwarg] = TEXT_KWARGS[kwarg]
        elif type(converters.get(kwarg)).__name__ == "IntConverter":
            kwargs[kwarg] = _object_id(name, kwarg, partnership)
        else:
            kwargs[kwarg] = "csv"
    from django.urls import reverse

    try:
        real = reverse(name, kwargs=kwargs) if name != "None" else None
    except Exception:  # noqa: BLE001
        return []
    if real is None:
        return []
    paths = [real]
    for value in kwargs.values():
        if isinstance(value, str):
            for bad in TEXT_BAD:
                paths.append(real.replace(f"/{value}/", f"/{bad}/").replace(f".{value}", f".{bad}"))
        if isinstance(value, int):
            segment = f"/{value}/"
            for bad in PATH_BAD:
                paths.append(real.replace(segment, f"/{bad}/", 1))
            paths.append(real.replace(segment, "/%C2%B2/", 1))
    return paths


def _queries():
    for bad in BAD_VALUES:
        yield [(param, bad) for param in PARAMS]
    yield [(param, value) for param in PARAMS for value in ("1", "²")]  # arrays
    yield [(f"{param}[]", "1") for param in PARAMS]


class _ServerError(Exception):
    pass


def _server_error(method, path, data):
    """True when the request got a 5xx. Each runs in a savepoint: a database error in a view
    must not break the transaction the next request runs in."""
    try:
        with transaction.atomic():
            response = method(path, data)
            if response.streaming:
                # Read to the end as a server would, so a download's file is closed.
                b"".join(response.streaming_content)
            if response.status_code >= 500:
                raise _ServerError
    except _ServerError:
        return True
    return False


@pytest.fixture
def demo(db):
    call_command("seed_demo", verbosity=0)
    return Partnership.objects.get(title="Joint AI insights offering")


# Our roles, a partner user, a visitor; and staff, who alone reach the admin.
ROLES = ["coo", "manager", "viewer", "hannah", None, "staff"]


def _walk(client, routes, partnership, queries_for_real_ids):
    failures = []
    for name, pattern in routes:
        if name in ("logout", "healthz", "admin:logout"):
            continue
        for number, path in enumerate(_paths(name, pattern, partnership)):
            for query in queries_for_real_ids if number == 0 else [[]]:
                data = MultiValueDict()
                for key, value in query:
                    data.appendlist(key, value)
                for method in (client.get, client.post):
                    if _server_error(method, path, data):
                        failures.append((name, method.__name__, path, query[:1]))
                        break
    return failures


@pytest.mark.parametrize("username", ROLES)
def test_no_malformed_request_gets_a_server_error(client, demo, username, settings):
    from django.contrib.auth import get_user_model

    from tests.factories import make_user

    settings.DEBUG_PROPAGATE_EXCEPTIONS = False
    client.raise_request_exception = False
    if username == "staff":
        client.force_login(make_user("staff", is_staff=True, is_superuser=True))
    elif username:
        client.force_login(get_user_model().objects.get(username=username))
    queries = list(_queries())
    if username == "staff":
        # Django's admin, every model: its own query parameters, fewer values (the admin is
        # Django's, and its parsing is tested there).
        routes = [(n, p) for n, p in patterns() if n.startswith("admin:")]
        queries = [
            *queries[:1],
            [(k, "²") for k in ("q", "o", "p", "e", "_changelist_filters", "all")],
            [("o", "99999999999999999999"), ("p", "-1"), ("id__exact", "²")],
        ]
    else:
        routes = [(n, p) for n, p in patterns() if not n.startswith("admin:")]
    failures = _walk(client, routes, demo, queries)
    assert not failures, f"{len(failures)} server errors: {failures[:20]}"
