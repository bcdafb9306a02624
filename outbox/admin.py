from django.contrib import admin, messages
from django.template.defaultfilters import truncatechars

from . import services
from .models import Message


@admin.register(Message)
class MessageAdmin(admin.ModelAdmin):
    list_display = [
        "id",
        "kind",
        "recipient",
        "subject",
        "status",
        "attempts",
        "next_attempt_at",
        "sent_at",
        "error",
        "created_at",
    ]
    list_filter = ["status", "kind"]
    search_fields = ["recipient", "subject", "key"]
    date_hierarchy = "created_at"
    actions = ["retry_now"]
    readonly_fields = [f.name for f in Message._meta.fields]

    @admin.display(description="last error")
    def error(self, obj):
        return truncatechars(obj.last_error, 80)

    @admin.action(description="Retry the selected failed messages now")
    def retry_now(self, request, queryset):
        count = services.retry_now(list(queryset.values_list("pk", flat=True)))
        skipped = queryset.count() - count
        self.message_user(request, f"{count} failed message(s) will be retried now.")
        if skipped:
            self.message_user(
                request,
                f"{skipped} message(s) were not failed and were left alone.",
                messages.WARNING,
            )

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False
