"""Every page a user can open, with its SQL query count and server time, for an executive (who
sees the whole portfolio) and a partner manager: the query budget holds for every page and
fragment, not only the ones the page benchmark times.

``page_urls`` names one URL per GET route of the app (the tests check none is forgotten);
routes that only take a POST, or that need an object the generated data has none of, are in
``NOT_PAGES`` / skipped with a reason.
"""

import logging
import statistics
import time

# Routes that only answer a POST (GET is 405) or are not pages (downloads of uploaded files,
# sign-out, one-time tokens).
NOT_PAGES = {
    "logout",
    "password_reset_confirm",
    "password_reset_done",
    "password_reset_complete",
    "password_change_done",
    "healthz",
    "bench_floor",
    "partnerships:move",
    "governance:raci",
    "governance:role_delete",
    "governance:dd_start",
    "governance:dd_sign_off",
    "governance:dd_evidence_upload",
    "governance:dd_evidence_delete",
    "governance:dd_evidence_download",
    "governance:action_done",
    "governance:action_reopen",
    "integration:milestone_reopen",
    "partnerships:my_work_change",
    "partnerships:conflict_resolve",
    "kpis:entry_cell",
    "kpis:import_confirm",
    "kpis:import_cancel",
    "kpis:alert_acknowledge",
    "kpis:panel_acknowledge",
    "kpis:panel_action_create",
    "kpis:checkpoint_record",
    "digests:follow",
    "digests:digest_detail",
    "digests:unsubscribe",
    "portal:accept",
    "portal:objective_agree",
    "portal:objective_propose",
    "portal:entry_cell",
    "portal:import_confirm",
    "partner_access:invite",
    "partner_access:revoke",
    "partner_access:deactivate",
    "partner_access:agree",
    "partner_access:accept",
    "partner_access:reject",
    "partner_access:questionnaire_send",
    "partner_access:ledger_decide",
    "portal:item_update",
    "portal:corrective_update",
    "renewals:pack_open",
    # A download of every section at once: about twenty queries, constant whatever the
    # history (tests/renewals/test_views.py pins it); its page loads the sections one by one.
    "renewals:pack_pdf",
    "renewals:pack_recommend",
    "renewals:pack_decide",
    "portal:questionnaire_answer",
    "portal:ledger_decide",
    "contracts:version_file",
    "contracts:fulfilment_file",
    "contracts:fulfilment_reopen",
    # The API: JSON (and its docs page), measured by tests/api/test_endpoints.py.
    "api:partnerships",
    "api:partnership",
    "api:kpis",
    "api:kpi",
    "api:snapshots",
    "api:alerts",
    "api:alert",
    "api:measurements",
    "api:schema",
    "api:docs",
    "api_tokens:revoke",
    "webhooks:rotate",
    "webhooks:test",
    "webhooks:delete",
    # Sign-in steps: before signing in, redirects, a download, or with no second factor set up.
    "account_login",
    "account_inactive",
    "account_reauthenticate",
    "openid_connect_login",
    "openid_connect_callback",
    "socialaccount_login_cancelled",
    "socialaccount_login_error",
    "mfa_authenticate",
    "mfa_reauthenticate",
    "mfa_deactivate_totp",
    "mfa_view_recovery_codes",
    "mfa_generate_recovery_codes",
    "mfa_download_recovery_codes",
}

# The partner portal's pages: crawled as a partner user only (they are 404 to our people, as
# every other page is 404 to partner users).
PORTAL_PREFIX = "portal:"


def page_urls(partnership, viewer=None):
    """{route name: URL} for every page, filled in with objects of ``partnership`` (and, for
    what only its owner sees, of ``viewer``)."""
    from django.urls import reverse

    from partnerships.panels import panels

    p = partnership.pk
    first = _first_objects(partnership, viewer)

    def with_(key, name, *args):
        obj = first[key]
        return reverse(name, args=[*args, obj.pk]) if obj else None

    urls = {
        **_partnership_urls(partnership, with_),
        **_governance_urls(p, with_),
        **_integration_urls(p, with_),
        **_kpi_and_digest_urls(p, with_),
        **_contract_urls(p, with_),
        **_webhook_urls(with_),
        **_audit_urls(p, with_),
    }
    for panel in panels():
        urls[f"panel:{panel.key}"] = reverse(panel.url_name, kwargs={"pk": p})
    return urls


def _first_objects(partnership, viewer=None):
    """The first object of each kind a page needs, or None when the data has none. An import
    is shown to its uploader alone: with a ``viewer``, theirs (another's is a 404 for them)."""
    from contracts.models import Document, Obligation
    from governance import models as gov
    from integration.models import Milestone, Workstream
    from kpis.models import Alert, CorrectiveAction, Kpi, MeasurementImport
    from partnerships.models import ExchangeRate, Objective, StrategicGoal
    from webhooks.models import Webhook

    imports = MeasurementImport.objects.all()
    if viewer is not None:
        imports = imports.filter(uploaded_by=viewer)
    return {
        "webhook": Webhook.objects.order_by("pk").first(),
        "rate": ExchangeRate.objects.order_by("pk").first(),
        "kpi": Kpi.objects.filter(partnership=partnership).order_by("pk").first(),
        "alert": Alert.objects.filter(partnership=partnership).order_by("pk").first(),
        "action": CorrectiveAction.objects.filter(partnership=partnership).order_by("pk").first(),
        "objective": Objective.objects.filter(partnership=partnership).order_by("pk").first(),
        "contact": partnership.partner.contacts.order_by("pk").first(),
        "goal": StrategicGoal.objects.order_by("pk").first(),
        "import": imports.order_by("pk").first(),
        "item": gov.ChecklistItem.objects.filter(checklist__partnership=partnership).first(),
        "role": gov.GovernanceRole.objects.filter(partnership=partnership).first(),
        "meeting": gov.Meeting.objects.filter(partnership=partnership).order_by("pk").first(),
        "cadence": gov.MeetingCadence.objects.filter(partnership=partnership).first(),
        "action_item": gov.ActionItem.objects.filter(partnership=partnership).first(),
        "review": gov.PerformanceReview.objects.filter(partnership=partnership).first(),
        "risk": gov.Risk.objects.filter(partnership=partnership).order_by("pk").first(),
        "workstream": Workstream.objects.filter(partnership=partnership).first(),
        "milestone": Milestone.objects.filter(workstream__partnership=partnership).first(),
        "document": Document.objects.filter(agreement__partnership=partnership).first(),
        "obligation": Obligation.objects.filter(partnership=partnership).order_by("pk").first(),
    }


def _partnership_urls(partnership, with_):
    from django.urls import reverse

    p = partnership.pk
    return {
        "partnerships:home": reverse("partnerships:home"),
        "login": reverse("login"),
        "password_change": reverse("password_change"),
        "password_reset": reverse("password_reset"),
        "mfa_index": reverse("mfa_index"),
        "mfa_activate_totp": reverse("mfa_activate_totp"),
        "partnerships:list": reverse("partnerships:list"),
        "partnerships:export": reverse("partnerships:export", kwargs={"fmt": "csv"}),
        "partnerships:create": reverse("partnerships:create"),
        "partnerships:detail": reverse("partnerships:detail", args=[p]),
        "partnerships:edit": reverse("partnerships:edit", args=[p]),
        "partnerships:timeline": reverse("partnerships:timeline", args=[p]),
        "partnerships:objective_create": reverse("partnerships:objective_create", args=[p]),
        "partnerships:objective_edit": with_("objective", "partnerships:objective_edit", p),
        "partnerships:agreement": reverse("partnerships:agreement", args=[p]),
        "partnerships:interaction_create": reverse("partnerships:interaction_create", args=[p]),
        "partnerships:partner_list": reverse("partnerships:partner_list"),
        "partnerships:partner_create": reverse("partnerships:partner_create"),
        "partnerships:partner_detail": reverse(
            "partnerships:partner_detail", args=[partnership.partner_id]
        ),
        "partnerships:partner_edit": reverse(
            "partnerships:partner_edit", args=[partnership.partner_id]
        ),
        "partnerships:contact_create": reverse(
            "partnerships:contact_create", args=[partnership.partner_id]
        ),
        "partnerships:contact_edit": with_(
            "contact", "partnerships:contact_edit", partnership.partner_id
        ),
        "partnerships:goals": reverse("partnerships:goals"),
        "partnerships:my_work": reverse("partnerships:my_work"),
        "partnerships:goal_create": reverse("partnerships:goal_create"),
        "partnerships:goal_edit": with_("goal", "partnerships:goal_edit"),
        "partnerships:rates": reverse("partnerships:rates"),
        "partnerships:rate_create": reverse("partnerships:rate_create"),
        "partnerships:rate_edit": with_("rate", "partnerships:rate_edit"),
        "api_tokens:list": reverse("api_tokens:list"),
    }


def _integration_urls(p, with_):
    from django.urls import reverse

    return {
        "integration:plan": reverse("integration:plan", args=[p]),
        "integration:workstream_create": reverse("integration:workstream_create", args=[p]),
        "integration:workstream_edit": with_("workstream", "integration:workstream_edit", p),
        "integration:milestone_create": with_("workstream", "integration:milestone_create", p),
        "integration:milestone_edit": with_("milestone", "integration:milestone_edit", p),
        "integration:milestone_done": with_("milestone", "integration:milestone_done", p),
    }


def _governance_urls(p, with_):
    from django.urls import reverse

    return {
        "governance:portfolio_risks": reverse("governance:portfolio_risks"),
        "governance:dd": reverse("governance:dd", args=[p]),
        "governance:dd_edit": reverse("governance:dd_edit", args=[p]),
        "governance:dd_item": with_("item", "governance:dd_item", p),
        "governance:governance": reverse("governance:governance", args=[p]),
        "governance:role_create": reverse("governance:role_create", args=[p]),
        "governance:role_edit": with_("role", "governance:role_edit", p),
        "governance:meetings": reverse("governance:meetings", args=[p]),
        "governance:meeting_create": reverse("governance:meeting_create", args=[p]),
        "governance:meeting_detail": with_("meeting", "governance:meeting_detail", p),
        "governance:meeting_edit": with_("meeting", "governance:meeting_edit", p),
        "governance:cadence_create": reverse("governance:cadence_create", args=[p]),
        "governance:cadence_edit": with_("cadence", "governance:cadence_edit", p),
        "governance:action_create": reverse("governance:action_create", args=[p]),
        "governance:action_edit": with_("action_item", "governance:action_edit", p),
        "governance:review_create": reverse("governance:review_create", args=[p]),
        "governance:review_edit": with_("review", "governance:review_edit", p),
        "governance:risks": reverse("governance:risks", args=[p]),
        "governance:risk_create": reverse("governance:risk_create", args=[p]),
        "governance:risk_edit": with_("risk", "governance:risk_edit", p),
    }


def _webhook_urls(with_):
    from django.urls import reverse

    return {
        "webhooks:list": reverse("webhooks:list"),
        "webhooks:create": reverse("webhooks:create"),
        "webhooks:detail": with_("webhook", "webhooks:detail"),
        "webhooks:edit": with_("webhook", "webhooks:edit"),
    }


def _contract_urls(p, with_):
    from django.urls import reverse

    return {
        "contracts:panel": reverse("contracts:panel", args=[p]),
        "contracts:document_create": reverse("contracts:document_create", args=[p]),
        "contracts:version_create": with_("document", "contracts:version_create", p),
        "contracts:obligation_create": reverse("contracts:obligation_create", args=[p]),
        "contracts:obligation_edit": with_("obligation", "contracts:obligation_edit", p),
        "contracts:obligation_end": with_("obligation", "contracts:obligation_end", p),
        "contracts:fulfil": with_("obligation", "contracts:fulfil", p),
    }


def _audit_urls(p, with_):
    from django.urls import reverse

    return {
        "audit:history": reverse("audit:history"),
        "audit:partnership": reverse("audit:partnership", args=[p]),
        "audit:object": with_("kpi", "audit:object", "kpis.kpi"),
    }


def _kpi_and_digest_urls(p, with_):
    from django.urls import reverse

    return {
        "kpis:kpi_history_export": reverse("kpis:kpi_history_export", args=[p, "csv"]),
        "kpis:kpi_create": reverse("kpis:kpi_create", args=[p]),
        "kpis:kpi_detail": with_("kpi", "kpis:kpi_detail"),
        "kpis:kpi_edit": with_("kpi", "kpis:kpi_edit"),
        "kpis:measurement_create": with_("kpi", "kpis:measurement_create"),
        "kpis:entry_grid": reverse("kpis:entry_grid"),
        "kpis:import_start": reverse("kpis:import_start"),
        "kpis:import_template": reverse("kpis:import_template", kwargs={"fmt": "csv"}),
        "kpis:import_detail": with_("import", "kpis:import_detail"),
        "kpis:alert_inbox": reverse("kpis:alert_inbox"),
        "kpis:alert_detail": with_("alert", "kpis:alert_detail"),
        "kpis:action_create": with_("alert", "kpis:action_create"),
        "kpis:action_edit": with_("action", "kpis:action_edit"),
        "digests:preferences": reverse("digests:preferences"),
        "digests:preview": reverse("digests:preview"),
        "partner_access:kpis": reverse("partner_access:kpis", args=[p]),
        "portal:home": reverse("portal:home"),
        "portal:partnership": reverse("portal:partnership", args=[p]),
        "portal:objectives": reverse("portal:objectives", args=[p]),
        "portal:entry": reverse("portal:entry"),
        "portal:submissions": reverse("portal:submissions"),
        "portal:import_start": reverse("portal:import_start"),
        "portal:import_detail": with_("import", "portal:import_detail"),
        "portal:actions": reverse("portal:actions"),
        "portal:questionnaire": reverse("portal:questionnaire", args=[p]),
        "portal:healthcheck": reverse("portal:healthcheck", args=[p]),
        "portal:ledger": reverse("portal:ledger", args=[p]),
        "partner_access:healthcheck": reverse("partner_access:healthcheck", args=[p]),
        "partner_access:ledger": reverse("partner_access:ledger", args=[p]),
        "renewals:pack": reverse("renewals:pack", args=[p]),
        "renewals:pack_section": reverse("renewals:pack_section", args=[p, "kpis.history"]),
    }


def partner_user_for(partnership):
    """A partner user of ``partnership``'s partner with access to it (made once if missing)."""
    from django.contrib.auth import get_user_model
    from django.contrib.auth.models import Group

    from partnerships.roles import PARTNER_USER
    from portal.models import PartnershipAccess, PartnerUser

    profile = PartnerUser.objects.filter(access__partnership=partnership).first()
    if profile is None:
        contact = partnership.partner.contacts.create(
            name="Bench Partner", email=f"bench-partner-{partnership.pk}@partner.example"
        )
        user = get_user_model().objects.create_user(username=contact.email, email=contact.email)
        user.groups.add(Group.objects.get_or_create(name=PARTNER_USER)[0])
        profile = PartnerUser.objects.create(
            user=user, contact=contact, partner=partnership.partner
        )
        PartnershipAccess.objects.create(partner_user=profile, partnership=partnership)
    return profile.user


def crawl(visits, *, repeat=3):
    """{label: {route: {status, queries, median_ms, queries_after_write, ms_after_write}}} for
    every page, after one warm-up; ``visits`` is {label: (user, a partnership of theirs)}.

    Pages served from the fragment cache are measured twice: as served again, and on the first
    view after a committed write, when they are built afresh (the worst case of the budget)."""
    # A manager's 403 on the goal forms is a right answer, not news for the log.
    request_log = logging.getLogger("django.request")
    level = request_log.level
    request_log.setLevel(logging.ERROR)
    try:
        return {
            label: _crawl_one(user, partnership, repeat)
            for label, (user, partnership) in visits.items()
        }
    finally:
        request_log.setLevel(level)


def _measure(client, url, headers, repeat, before=None):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    samples, queries = [], 0
    for _ in range(repeat):
        if before:
            before()
        with CaptureQueriesContext(connection) as captured:
            start = time.perf_counter()
            client.get(url, **headers)
            samples.append(time.perf_counter() - start)
        queries = max(queries, len(captured))
    return queries, round(statistics.median(samples) * 1000, 2)


def _crawl_one(user, partnership, repeat):
    from django.db.models import F
    from django.test import Client

    from partnerships.models import Partnership

    def write():
        Partnership.objects.filter(pk=partnership.pk).update(title=F("title"))

    from partnerships.roles import is_partner_user

    client = Client()
    client.force_login(user)
    rows = {}
    portal = is_partner_user(user)
    for name, url in page_urls(partnership, user).items():
        if name.startswith(PORTAL_PREFIX) != portal:
            continue
        if url is None:
            rows[name] = {"skipped": "no such object in the data"}
            continue
        headers = {"HTTP_HX_REQUEST": "true"} if name.startswith("panel:") else {}
        status = client.get(url, **headers).status_code
        queries, ms = _measure(client, url, headers, repeat)
        fresh_queries, fresh_ms = _measure(client, url, headers, repeat, write)
        rows[name] = {
            "url": url,
            "status": status,
            "queries": max(queries, fresh_queries),
            "median_ms": ms,
            "queries_cached": queries,
            "queries_after_write": fresh_queries,
            "ms_after_write": fresh_ms,
        }
    return rows
