"""Which models the audit trail follows, and which it leaves out (docs/decisions/audit-trail.md).

Every concrete model of the project's apps is followed, with the few tables in ``DERIVED``
left out: rows recomputed or written by the machinery from what is followed, whose own history
would only repeat the change that caused them. A model added later is followed without a list
to keep; ``tests/audit/test_registration.py`` fails on a model that is in neither list.
"""

from django.contrib.auth.models import Group, User

APPS = (
    "partnerships",
    "governance",
    "kpis",
    "contracts",
    "integration",
    "renewals",
    "portal",
    "digests",
    "api",
    "webhooks",
)

# Left out, with the reason shown in the decision record.
DERIVED = {
    "partnerships.ChangeCounter": "the count of writes the page cache keys on",
    "kpis.Snapshot": "recomputed from the measurements, which are followed",
    "kpis.HealthSnapshot": "recomputed from snapshots and governance, which are followed",
    "kpis.RecomputeMark": "a queue of recomputes to run",
    "kpis.Alert": "raised and cleared by the recompute; its moves are kpis.AlertEvent",
    "kpis.AlertEvent": "already a history: the moves of an alert",
    "kpis.AlertNotification": "an email record of an alert move",
    "kpis.MeasurementImport": "the staging record of an upload (progress, heartbeats)",
    "kpis.MeasurementRevision": "already a history: the values a correction replaced",
    "kpis.KpiVersion": "already a history: a KPI's earlier definitions",
    "governance.RiskScoreChange": "already a history: a risk's earlier scores",
    "contracts.ObligationChange": "already a history: an obligation's earlier terms",
    "digests.Digest": "a delivery record of an email",
    "digests.Reminder": "a delivery record of an email",
    "kpis.FeedRequest": "the answer kept for an API idempotency key; what it wrote is followed",
}

# Written thousands of rows at a time (a spreadsheet import, the API's bulk write): their
# triggers fire once a statement, over its transition table, instead of once a row. On a
# 100,000-row import the row triggers took 1.35 s of a 2.6 s insert
# (docs/decisions/import-copy-write.md).
STATEMENT_LEVEL = {"kpis.Measurement"}

# Fields whose change alone is not an event: written on sign-in or page views, or secret.
EXCLUDED_FIELDS = {
    "auth.User": ["password", "last_login"],
    "digests.DigestPreference": ["last_seen_on", "updated_at"],
    # A token's use is not a change of it; its hash and a webhook's secret stay out of history.
    "api.ApiToken": ["last_used_at", "digest"],
    "webhooks.Webhook": ["secret"],
}


def domain_models(models_of):
    """The followed models: the project's apps' models but ``DERIVED``, their many-to-many
    tables, and the users, groups and their memberships and permissions. ``models_of(label)``
    gives an app's models (the registry may not be ready yet)."""
    found = [User, Group, User.groups.through, User.user_permissions.through]
    found.append(Group.permissions.through)
    for label in APPS:
        for model in list(models_of(label)):
            if model._meta.proxy or not model._meta.managed:
                continue
            if model._meta.label not in DERIVED:
                found.append(model)
    return found
