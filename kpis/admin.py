from django.contrib import admin

from .models import (
    Alert,
    AlertEvent,
    AlertNotification,
    Checkpoint,
    CorrectiveAction,
    FeedRequest,
    HealthSnapshot,
    Kpi,
    KpiTemplate,
    KpiVersion,
    Measurement,
    MeasurementImport,
    MeasurementRevision,
    RecomputeMark,
    Snapshot,
)


class ReadOnlyInline(admin.TabularInline):
    extra = 0
    can_delete = False

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False


@admin.register(KpiTemplate)
class KpiTemplateAdmin(admin.ModelAdmin):
    list_display = ["name", "unit", "direction", "frequency", "aggregation", "target", "is_active"]
    list_filter = ["unit", "direction", "frequency", "is_active"]
    search_fields = ["name", "description"]


class KpiVersionInline(ReadOnlyInline):
    model = KpiVersion
    fields = [
        "number",
        "effective_from",
        "target",
        "warning",
        "critical",
        "changed_by",
        "changed_at",
    ]
    readonly_fields = fields


@admin.register(Kpi)
class KpiAdmin(admin.ModelAdmin):
    list_display = [
        "name",
        "partnership",
        "unit",
        "direction",
        "frequency",
        "target",
        "version",
        "is_active",
    ]
    list_filter = ["is_active", "unit", "direction", "frequency", "aggregation"]
    search_fields = ["name", "description", "partnership__title"]
    list_select_related = ["partnership"]
    raw_id_fields = ["partnership", "objective", "owner", "template"]
    readonly_fields = ["version"]
    inlines = [KpiVersionInline]


@admin.register(KpiVersion)
class KpiVersionAdmin(admin.ModelAdmin):
    list_display = ["kpi", "number", "effective_from", "target", "changed_by", "changed_at"]
    list_filter = ["changed_at"]
    search_fields = ["kpi__name"]
    list_select_related = ["kpi", "changed_by"]
    raw_id_fields = ["kpi", "changed_by"]


class RevisionInline(ReadOnlyInline):
    model = MeasurementRevision
    fields = ["value", "note", "recorded_by", "recorded_at", "replaced_by", "replaced_at"]
    readonly_fields = fields


@admin.register(Measurement)
class MeasurementAdmin(admin.ModelAdmin):
    list_display = ["kpi", "period", "grain", "value", "source", "recorded_by", "recorded_at"]
    list_filter = ["source", "grain"]
    search_fields = ["kpi__name", "kpi__partnership__title", "note"]
    list_select_related = ["kpi", "recorded_by"]
    raw_id_fields = ["kpi", "recorded_by", "import_batch"]
    date_hierarchy = "period"
    inlines = [RevisionInline]


@admin.register(MeasurementRevision)
class MeasurementRevisionAdmin(admin.ModelAdmin):
    list_display = ["measurement", "value", "replaced_by", "replaced_at", "replaced_via"]
    list_filter = ["replaced_via"]
    search_fields = ["measurement__kpi__name"]
    raw_id_fields = ["measurement", "recorded_by", "replaced_by"]


@admin.register(Snapshot)
class SnapshotAdmin(admin.ModelAdmin):
    list_display = ["kpi", "period", "value", "status", "attainment", "trend", "is_latest"]
    list_filter = ["status", "frequency", "is_latest", "is_closed"]
    search_fields = ["kpi__name", "partnership__title"]
    list_select_related = ["kpi"]
    raw_id_fields = ["kpi", "partnership"]
    date_hierarchy = "period"

    # Computed rows: an edit would survive recomputes, which rewrite only rows whose computed
    # values change. Deleting one is safe (the next recompute writes it again).
    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False


class AlertEventInline(ReadOnlyInline):
    model = AlertEvent
    fields = ["kind", "severity", "period", "value", "comment", "by", "at"]
    readonly_fields = fields


@admin.register(Alert)
class AlertAdmin(admin.ModelAdmin):
    list_display = ["kpi", "partnership", "severity", "state", "opened_at", "resolved_at"]
    list_filter = ["state", "severity"]
    search_fields = ["kpi__name", "partnership__title", "acknowledgement"]
    list_select_related = ["kpi", "partnership"]
    raw_id_fields = ["kpi", "partnership", "acknowledged_by"]
    inlines = [AlertEventInline]


@admin.register(AlertEvent)
class AlertEventAdmin(admin.ModelAdmin):
    list_display = ["alert", "kind", "severity", "period", "by", "at"]
    list_filter = ["kind", "severity"]
    search_fields = ["alert__kpi__name", "comment"]
    raw_id_fields = ["alert", "by"]


@admin.register(AlertNotification)
class AlertNotificationAdmin(admin.ModelAdmin):
    # The state follows the notification's outbox emails; a failed one is retried from the
    # outbox admin (Outbox → Messages), where each recipient's email is listed.
    list_display = ["event", "state", "attempts", "created_at", "sent_at", "short_error"]
    list_filter = ["state"]
    search_fields = ["event__alert__kpi__name", "last_error"]
    raw_id_fields = ["event"]

    @admin.display(description="last error")
    def short_error(self, obj):
        return obj.last_error[:80]


class CheckpointInline(admin.TabularInline):
    model = Checkpoint
    extra = 0
    raw_id_fields = ["recorded_by"]


@admin.register(CorrectiveAction)
class CorrectiveActionAdmin(admin.ModelAdmin):
    list_display = ["description", "partnership", "kpi", "owner", "due_date", "state"]
    list_filter = ["state", "due_date"]
    search_fields = ["description", "outcome", "kpi__name", "partnership__title"]
    list_select_related = ["partnership", "kpi", "owner"]
    raw_id_fields = ["alert", "kpi", "partnership", "owner", "created_by"]
    inlines = [CheckpointInline]


@admin.register(Checkpoint)
class CheckpointAdmin(admin.ModelAdmin):
    list_display = ["action", "days", "due_on", "status", "recovered", "recorded_at"]
    list_filter = ["recovered", "status"]
    search_fields = ["action__description", "note"]
    raw_id_fields = ["action", "recorded_by"]


@admin.register(HealthSnapshot)
class HealthSnapshotAdmin(admin.ModelAdmin):
    list_display = ["partnership", "period", "score", "band", "computed_at"]
    list_filter = ["band", "period"]
    search_fields = ["partnership__title"]
    list_select_related = ["partnership"]
    raw_id_fields = ["partnership"]


@admin.register(MeasurementImport)
class MeasurementImportAdmin(admin.ModelAdmin):
    list_display = [
        "original_name",
        "uploaded_by",
        "state",
        "total_rows",
        "error_count",
        "created_count",
        "corrected_count",
        "progress",
        "runs",
        "heartbeat_at",
        "created_at",
    ]
    list_filter = ["state", "in_background"]
    search_fields = ["original_name", "uploaded_by__username", "message"]
    raw_id_fields = ["uploaded_by"]
    # The uploaded file has no URL anyone may open (it is read by the import and then deleted).
    exclude = ["file"]


@admin.register(RecomputeMark)
class RecomputeMarkAdmin(admin.ModelAdmin):
    """What waits for the sweep: a long list means the workers or beat are not running."""

    list_display = ["kind", "target_id", "marked_at"]
    list_filter = ["kind"]

    # Written by changes and deleted by the sweep; an edit or an addition here means nothing.
    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False


@admin.register(FeedRequest)
class FeedRequestAdmin(admin.ModelAdmin):
    """The answers kept for API bulk writes sent with an Idempotency-Key; read-only."""

    list_display = ["key", "user", "status_code", "created_at"]
    list_filter = ["status_code"]
    search_fields = ["key", "user__username"]
    readonly_fields = ["user", "key", "fingerprint", "status_code", "answer", "created_at"]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False
