from django.contrib import admin, messages

from .models import Digest, DigestPreference, Follow, Reminder
from .tasks import retry_failed as retry_deliveries


@admin.register(DigestPreference)
class DigestPreferenceAdmin(admin.ModelAdmin):
    list_display = [
        "user",
        "enabled",
        "weekday",
        "send_time",
        "time_zone",
        "reminders_enabled",
        "last_seen_on",
    ]
    list_filter = ["enabled", "weekday", "reminders_enabled", "time_zone"]
    search_fields = ["user__username", "user__email", "user__first_name", "user__last_name"]
    list_select_related = ["user"]
    raw_id_fields = ["user"]


@admin.register(Follow)
class FollowAdmin(admin.ModelAdmin):
    list_display = ["user", "partnership", "following", "created_at"]
    list_filter = ["following"]
    search_fields = ["user__username", "user__email", "partnership__title"]
    list_select_related = ["user", "partnership"]
    raw_id_fields = ["user", "partnership"]


@admin.action(description="Send the selected failed ones again")
def retry_failed(modeladmin, request, queryset):
    ids = retry_deliveries(queryset.model, queryset.values_list("pk", flat=True))
    modeladmin.message_user(request, f"{len(ids)} queued again.", messages.SUCCESS)


class DeliveryAdmin(admin.ModelAdmin):
    list_filter = ["status"]
    actions = [retry_failed]
    readonly_fields = ["status", "attempts", "last_error", "claimed_at", "sent_at", "created_at"]

    def has_add_permission(self, request):
        return False


@admin.register(Digest)
class DigestAdmin(DeliveryAdmin):
    list_display = ["user", "week", "status", "attempts", "monthly", "sent_at", "short_error"]
    list_filter = ["status", "monthly", "week"]
    search_fields = ["user__username", "user__email", "week", "subject"]
    list_select_related = ["user"]
    readonly_fields = [
        *DeliveryAdmin.readonly_fields,
        "user",
        "week",
        "period_start",
        "period_end",
        "time_zone",
        "monthly",
        "to_email",
        "subject",
        "partnership_count",
        "text_body",
        "html_body",
    ]

    @admin.display(description="last error")
    def short_error(self, obj):
        return obj.last_error[:80]


@admin.register(Reminder)
class ReminderAdmin(DeliveryAdmin):
    list_display = [
        "label",
        "kind",
        "due_date",
        "offset_days",
        "recipient",
        "status",
        "attempts",
        "sent_at",
    ]
    list_filter = ["status", "kind", "offset_days"]
    search_fields = ["label", "partnership__title", "recipient__username", "recipient__email"]
    list_select_related = ["recipient", "partnership"]
    date_hierarchy = "due_date"
    readonly_fields = [
        *DeliveryAdmin.readonly_fields,
        "partnership",
        "kind",
        "due_date",
        "offset_days",
        "recipient",
        "label",
        "url",
        "to_email",
        "subject",
    ]
