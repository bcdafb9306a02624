"""Every URL of the project, as a partner user of partner A, against objects of partner B and
against objects of partner A that are internal or not given to them: 404 everywhere.

The table names every route; a route added without an entry fails ``test_every_route_has_an
_entry``, so nobody adds a page a partner user could reach by accident."""

import pytest
from django.urls import URLPattern, URLResolver, get_resolver, reverse

from governance import models as gov  # noqa: F401  (routes below name governance objects)

# Internal routes: every one answers 404 to a partner user, whatever the object. Each kwarg
# names which object fills it: ("partnership", ...) takes partner B's partnership and then
# partner A's (theirs, but internal pages are never theirs).
PARTNERSHIP = "partnership"
KPI = "kpi"
OBJECTIVE = "objective"
ANY = "any"  # an id of an object of another kind: the route is closed whatever it is


def internal(**kwargs):
    return ("internal", kwargs)


OWN_PAGE = ("own", {})  # the partner user's own portal pages: 200, nothing of others inside
PUBLIC = ("public", {})  # open to anyone, no object behind it (sign-in, health, tokens)

ROUTES = {
    "login": PUBLIC,
    "logout": PUBLIC,
    "healthz": PUBLIC,
    "portal:accept": PUBLIC,  # a bearer token; tested in test_flows
    # Sign-in steps (signin/, django-allauth): partner users sign in with a password only.
    "account_login": PUBLIC,
    "account_inactive": internal(),
    "account_reauthenticate": internal(),
    "openid_connect_login": internal(provider_id="sso"),
    "openid_connect_callback": internal(provider_id="sso"),
    "socialaccount_login_cancelled": internal(),
    "socialaccount_login_error": internal(),
    "mfa_index": internal(),
    "mfa_authenticate": internal(),
    "mfa_reauthenticate": internal(),
    "mfa_activate_totp": internal(),
    "mfa_deactivate_totp": internal(),
    "mfa_view_recovery_codes": internal(),
    "mfa_generate_recovery_codes": internal(),
    "mfa_download_recovery_codes": internal(),
    "password_change": internal(),
    "password_change_done": internal(),
    "password_reset": internal(),
    "password_reset_done": internal(),
    "password_reset_confirm": internal(uidb64="MQ", token="set-password"),
    "password_reset_complete": internal(),
    "governance:portfolio_risks": internal(),
    "renewals:pack": internal(pk=PARTNERSHIP),
    "renewals:pack_pdf": internal(pk=PARTNERSHIP),
    "renewals:pack_section": internal(pk=PARTNERSHIP, key="kpis.history"),
    "renewals:pack_open": internal(pk=PARTNERSHIP),
    "renewals:pack_recommend": internal(pk=PARTNERSHIP),
    "renewals:pack_decide": internal(pk=PARTNERSHIP),
    "governance:dd": internal(pk=PARTNERSHIP),
    "governance:dd_start": internal(pk=PARTNERSHIP),
    "governance:dd_edit": internal(pk=PARTNERSHIP),
    "governance:dd_sign_off": internal(pk=PARTNERSHIP),
    "governance:dd_item": internal(pk=PARTNERSHIP, item_pk=ANY),
    "governance:dd_evidence_upload": internal(pk=PARTNERSHIP, item_pk=ANY),
    "governance:dd_evidence_download": internal(pk=PARTNERSHIP, evidence_pk=ANY),
    "governance:dd_evidence_delete": internal(pk=PARTNERSHIP, evidence_pk=ANY),
    "governance:governance": internal(pk=PARTNERSHIP),
    "governance:raci": internal(pk=PARTNERSHIP),
    "governance:role_create": internal(pk=PARTNERSHIP),
    "governance:role_edit": internal(pk=PARTNERSHIP, role_pk=ANY),
    "governance:role_delete": internal(pk=PARTNERSHIP, role_pk=ANY),
    "governance:meetings": internal(pk=PARTNERSHIP),
    "governance:meeting_create": internal(pk=PARTNERSHIP),
    "governance:meeting_detail": internal(pk=PARTNERSHIP, meeting_pk=ANY),
    "governance:meeting_edit": internal(pk=PARTNERSHIP, meeting_pk=ANY),
    "governance:cadence_create": internal(pk=PARTNERSHIP),
    "governance:cadence_edit": internal(pk=PARTNERSHIP, cadence_pk=ANY),
    "governance:action_create": internal(pk=PARTNERSHIP),
    "governance:action_edit": internal(pk=PARTNERSHIP, action_pk=ANY),
    "governance:action_done": internal(pk=PARTNERSHIP, action_pk=ANY),
    "governance:action_reopen": internal(pk=PARTNERSHIP, action_pk=ANY),
    "governance:review_create": internal(pk=PARTNERSHIP),
    "governance:review_edit": internal(pk=PARTNERSHIP, review_pk=ANY),
    "governance:risks": internal(pk=PARTNERSHIP),
    "governance:risk_create": internal(pk=PARTNERSHIP),
    "governance:risk_edit": internal(pk=PARTNERSHIP, risk_pk=ANY),
    "integration:plan": internal(pk=PARTNERSHIP),
    "integration:workstream_create": internal(pk=PARTNERSHIP),
    "integration:workstream_edit": internal(pk=PARTNERSHIP, workstream_pk=ANY),
    "integration:milestone_create": internal(pk=PARTNERSHIP, workstream_pk=ANY),
    "integration:milestone_edit": internal(pk=PARTNERSHIP, milestone_pk=ANY),
    "integration:milestone_done": internal(pk=PARTNERSHIP, milestone_pk=ANY),
    "integration:milestone_reopen": internal(pk=PARTNERSHIP, milestone_pk=ANY),
    "kpis:partnership_kpis": internal(pk=PARTNERSHIP),
    "kpis:partnership_alerts": internal(pk=PARTNERSHIP),
    "kpis:partnership_health": internal(pk=PARTNERSHIP),
    "kpis:partnership_trends": internal(pk=PARTNERSHIP),
    "kpis:kpi_history_export": internal(pk=PARTNERSHIP, fmt="csv"),
    "kpis:panel_acknowledge": internal(alert_pk=ANY),
    "kpis:panel_action_create": internal(alert_pk=ANY),
    "kpis:kpi_create": internal(pk=PARTNERSHIP),
    "kpis:kpi_detail": internal(kpi_pk=KPI),
    "kpis:kpi_edit": internal(kpi_pk=KPI),
    "kpis:measurement_create": internal(kpi_pk=KPI),
    "kpis:entry_grid": internal(),
    "kpis:entry_cell": internal(),
    "kpis:import_start": internal(),
    "kpis:import_template": internal(fmt="csv"),
    "kpis:import_detail": internal(import_pk=ANY),
    "kpis:import_confirm": internal(import_pk=ANY),
    "kpis:import_cancel": internal(import_pk=ANY),
    "kpis:alert_inbox": internal(),
    "kpis:alert_detail": internal(alert_pk=ANY),
    "kpis:alert_acknowledge": internal(alert_pk=ANY),
    "kpis:action_create": internal(alert_pk=ANY),
    "kpis:action_edit": internal(action_pk=ANY),
    "kpis:checkpoint_record": internal(checkpoint_pk=ANY),
    "digests:preferences": internal(),
    "digests:follow": internal(pk=PARTNERSHIP),
    "digests:preview": internal(),
    "digests:digest_detail": internal(pk=ANY),
    "digests:unsubscribe": internal(token="not-a-token"),
    "partner_access:panel": internal(pk=PARTNERSHIP),
    "partner_access:kpis": internal(pk=PARTNERSHIP),
    "partner_access:invite": internal(pk=PARTNERSHIP),
    "partner_access:revoke": internal(pk=PARTNERSHIP, invitation_pk=ANY),
    "partner_access:deactivate": internal(pk=PARTNERSHIP, profile_pk=ANY),
    "partner_access:agree": internal(pk=PARTNERSHIP, objective_pk=OBJECTIVE),
    "partner_access:accept": internal(pk=PARTNERSHIP, submission_pk=ANY),
    "partner_access:reject": internal(pk=PARTNERSHIP, submission_pk=ANY),
    "partner_access:work_panel": internal(pk=PARTNERSHIP),
    "partner_access:questionnaire_send": internal(pk=PARTNERSHIP),
    "partner_access:healthcheck": internal(pk=PARTNERSHIP),
    "partner_access:ledger": internal(pk=PARTNERSHIP),
    "partner_access:ledger_decide": internal(pk=PARTNERSHIP, entry_pk=ANY),
    "partnerships:home": internal(),
    "partnerships:list": internal(),
    "partnerships:create": internal(),
    "partnerships:export": internal(fmt="csv"),
    "partnerships:detail": internal(pk=PARTNERSHIP),
    "partnerships:edit": internal(pk=PARTNERSHIP),
    "partnerships:move": internal(pk=PARTNERSHIP),
    "partnerships:timeline": internal(pk=PARTNERSHIP),
    "partnerships:objective_create": internal(pk=PARTNERSHIP),
    "partnerships:objective_edit": internal(pk=PARTNERSHIP, objective_pk=OBJECTIVE),
    "partnerships:agreement": internal(pk=PARTNERSHIP),
    "partnerships:interaction_create": internal(pk=PARTNERSHIP),
    "contracts:panel": internal(pk=PARTNERSHIP),
    "audit:history": internal(),
    "audit:partnership": internal(pk=PARTNERSHIP),
    "audit:object": internal(model="kpis.kpi", object_pk=KPI),
    "contracts:document_create": internal(pk=PARTNERSHIP),
    "contracts:version_create": internal(pk=PARTNERSHIP, document_pk=ANY),
    "contracts:version_file": internal(pk=PARTNERSHIP, version_pk=ANY),
    "contracts:obligation_create": internal(pk=PARTNERSHIP),
    "contracts:obligation_edit": internal(pk=PARTNERSHIP, obligation_pk=ANY),
    "contracts:obligation_end": internal(pk=PARTNERSHIP, obligation_pk=ANY),
    "contracts:fulfil": internal(pk=PARTNERSHIP, obligation_pk=ANY),
    "contracts:fulfilment_file": internal(pk=PARTNERSHIP, fulfilment_pk=ANY),
    "contracts:fulfilment_reopen": internal(pk=PARTNERSHIP, fulfilment_pk=ANY),
    "partnerships:conflict_resolve": internal(pk=PARTNERSHIP, interaction_pk=ANY),
    "partnerships:partner_list": internal(),
    "partnerships:partner_create": internal(),
    "partnerships:partner_detail": internal(pk="partner"),
    "partnerships:partner_edit": internal(pk="partner"),
    "partnerships:contact_create": internal(pk="partner"),
    "partnerships:contact_edit": internal(pk="partner", contact_pk=ANY),
    "partnerships:goals": internal(),
    "partnerships:my_work": internal(),
    "partnerships:my_work_change": internal(kind="governance.actions", pk=ANY, action="done"),
    "partnerships:goal_create": internal(),
    "partnerships:goal_edit": internal(pk=ANY),
    "partnerships:rates": internal(),
    "partnerships:rate_create": internal(),
    "partnerships:rate_edit": internal(pk=ANY),
    # The API answers a partner user's session 404 too (its tokens are refused: tests/api).
    "api:partnerships": internal(),
    "api:partnership": internal(pk=PARTNERSHIP),
    "api:kpis": internal(),
    "api:kpi": internal(kpi_pk=KPI),
    "api:snapshots": internal(),
    "api:alerts": internal(),
    "api:alert": internal(alert_pk=ANY),
    "api:measurements": internal(),
    "api:schema": internal(),
    "api:docs": internal(),
    "api_tokens:list": internal(),
    "api_tokens:revoke": internal(token_pk=ANY),
    "webhooks:list": internal(),
    "webhooks:create": internal(),
    "webhooks:detail": internal(webhook_pk=ANY),
    "webhooks:edit": internal(webhook_pk=ANY),
    "webhooks:rotate": internal(webhook_pk=ANY),
    "webhooks:test": internal(webhook_pk=ANY),
    "webhooks:delete": internal(webhook_pk=ANY),
    # The portal: partner B's objects, and partner A's that were not given or are internal.
    "portal:home": OWN_PAGE,
    "portal:entry": OWN_PAGE,
    "portal:submissions": OWN_PAGE,
    "portal:partnership": ("portal", {"pk": PARTNERSHIP}),
    "portal:objectives": ("portal", {"pk": PARTNERSHIP}),
    "portal:objective_agree": ("portal", {"objective_pk": OBJECTIVE}),
    "portal:objective_propose": ("portal", {"objective_pk": OBJECTIVE}),
    "portal:entry_cell": ("portal-post", {"kpi": KPI}),
    "portal:import_start": OWN_PAGE,
    "portal:actions": OWN_PAGE,
    # Partner B's actions and our own (internal) ones; another contact's are a 403 (test_actions).
    "portal:item_update": ("portal", {"action_pk": "action_item"}),
    "portal:corrective_update": ("portal", {"action_pk": "corrective"}),
    "portal:questionnaire": ("portal", {"pk": PARTNERSHIP}),
    # Partner B's question, and partner A's item that is not sent to the partner.
    "portal:questionnaire_answer": ("portal", {"item_pk": "question"}),
    "portal:healthcheck": ("portal", {"pk": PARTNERSHIP}),
    "portal:ledger": ("portal", {"pk": PARTNERSHIP}),
    "portal:ledger_decide": ("portal", {"entry_pk": "ledger_entry"}),
    # Another user's import (partner B's here): never found.
    "portal:import_detail": ("portal", {"import_pk": "b_import"}),
    "portal:import_confirm": ("portal", {"import_pk": "b_import"}),
}


def route_names(resolver=None, namespace=""):
    for entry in (resolver or get_resolver()).url_patterns:
        if isinstance(entry, URLResolver):
            if entry.app_name == "admin":
                continue
            inner = f"{namespace}{entry.namespace}:" if entry.namespace else namespace
            yield from route_names(entry, inner)
        elif isinstance(entry, URLPattern) and entry.name:
            yield f"{namespace}{entry.name}"


def test_every_route_has_an_entry():
    names = set(route_names())
    missing = names - set(ROUTES)
    assert not missing, f"add these routes to tests/portal/test_authorization.py: {sorted(missing)}"
    assert not set(ROUTES) - names, "the table names routes that no longer exist"


def _cases(world, kwargs, *, include_own=True):
    """The objects to try, each as {kwarg: value}: partner B's, then partner A's forbidden."""
    others = {
        PARTNERSHIP: [world["b"].pk, world["other_a"].pk],
        KPI: [world["b_kpi"].pk, world["internal"].pk, world["other_a_kpi"].pk],
        OBJECTIVE: [world["b_obj"].pk, world["other_a_obj"].pk],
        "partner": [world["b"].partner_id],
        "b_import": [world["b_import"].pk],
        "action_item": [world["b_action"].pk, world["internal_action"].pk],
        "corrective": [world["b_corrective"].pk, world["internal_corrective"].pk],
        "question": [world["b_question"].pk, world["internal_question"].pk],
        "ledger_entry": [world["b_entry"].pk, world["other_a_entry"].pk],
        ANY: [1],
    }
    own = {  # internal pages of partner A's own partnership are closed too
        PARTNERSHIP: [world["a"].pk],
        KPI: [world["shared"].pk],
        OBJECTIVE: [world["shared_obj"].pk],
        "partner": [world["a"].partner_id],
        ANY: [1],
    }
    for table in (others, own) if include_own else (others,):
        longest = max((len(table.get(v, [v])) for v in kwargs.values()), default=1)
        for i in range(longest):
            yield {k: (table[v][i % len(table[v])] if v in table else v) for k, v in kwargs.items()}


@pytest.mark.parametrize("name", sorted(ROUTES))
def test_partner_user_gets_404(client, world, name):
    kind, kwargs = ROUTES[name]
    client.force_login(world["pa"].user)
    if kind == "public":
        return
    if kind == "own":
        page = client.get(reverse(name))
        assert page.status_code == 200
        text = page.content.decode()
        for leak in ("Globex", "Our margin %", "Second A partnership", "@example.com"):
            assert leak not in text, f"{name} shows {leak!r}"
        return
    if kind == "portal-post":
        for case in _cases(world, kwargs, include_own=False):
            data = {**case, "period": "2026-01-01"}
            assert client.post(reverse(name), data).status_code == 404, (name, case)
            assert client.get(reverse(name), data).status_code == 404, (name, case)
        return
    # Internal routes (with partner A's own partnership too) and portal routes of others.
    for case in _cases(world, kwargs, include_own=kind == "internal"):
        url = reverse(name, kwargs=case)
        assert client.get(url).status_code == 404, (name, url)
        assert client.post(url).status_code == 404, (name, url)
