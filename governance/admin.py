from django.contrib import admin
from django.contrib.admin.widgets import AutocompleteSelect
from django.urls import reverse
from django.utils.html import format_html

from partnerships.ids import parse_id

from .models import (
    ActionItem,
    Checklist,
    ChecklistItem,
    ChecklistTemplate,
    Decision,
    Evidence,
    GovernanceRole,
    Meeting,
    MeetingCadence,
    PerformanceReview,
    RaciAssignment,
    Risk,
    RiskScoreChange,
    TemplateItem,
)


class TemplateItemInline(admin.TabularInline):
    model = TemplateItem
    extra = 1
    fields = ["order", "section", "question", "guidance", "required", "weight"]


@admin.register(ChecklistTemplate)
class ChecklistTemplateAdmin(admin.ModelAdmin):
    list_display = ["name", "is_default", "is_active", "updated_at"]
    list_filter = ["is_default", "is_active"]
    search_fields = ["name", "description"]
    inlines = [TemplateItemInline]


@admin.register(TemplateItem)
class TemplateItemAdmin(admin.ModelAdmin):
    list_display = ["question", "template", "section", "required", "weight", "order"]
    list_filter = ["template", "section", "required"]
    search_fields = ["question", "guidance"]
    list_select_related = ["template"]


class ChecklistItemInline(admin.TabularInline):
    model = ChecklistItem
    extra = 0
    fields = ["order", "section", "question", "required", "weight", "status", "rating", "due_date"]
    show_change_link = True

    # obj is the checklist: once signed off its items stay as they were signed.
    def has_change_permission(self, request, obj=None):
        return not (obj and obj.is_signed_off) and super().has_change_permission(request, obj)

    def has_add_permission(self, request, obj=None):
        return not (obj and obj.is_signed_off) and super().has_add_permission(request, obj)

    def has_delete_permission(self, request, obj=None):
        return not (obj and obj.is_signed_off) and super().has_delete_permission(request, obj)


@admin.register(Checklist)
class ChecklistAdmin(admin.ModelAdmin):
    list_display = ["partnership", "template_name", "due_date", "started_at", "signed_off_at"]
    list_filter = ["signed_off_at", "template"]
    search_fields = ["partnership__title", "template_name"]
    list_select_related = ["partnership"]
    readonly_fields = ["started_at", "signed_off_by", "signed_off_at"]
    inlines = [ChecklistItemInline]


class EvidenceFileAdmin:
    """Evidence files are read only through the app's download view, which checks access (a
    media URL would serve them to anyone signed in), and added only through its upload checks."""

    exclude = ["file"]

    @admin.display(description="file")
    def download(self, obj):
        if obj.pk is None:
            return "-"
        partnership_id = obj.item.checklist.partnership_id
        url = reverse("governance:dd_evidence_download", args=[partnership_id, obj.pk])
        return format_html('<a href="{}">{}</a>', url, obj.original_name)

    def has_add_permission(self, request, obj=None):
        return False


class EvidenceInline(EvidenceFileAdmin, admin.TabularInline):
    model = Evidence
    extra = 0
    readonly_fields = ["download", "original_name", "size", "uploaded_by", "uploaded_at"]


@admin.register(ChecklistItem)
class ChecklistItemAdmin(admin.ModelAdmin):
    # A signed-off checklist is read-only here too (the services enforce it for the app).
    def has_change_permission(self, request, obj=None):
        if obj is not None and obj.checklist.is_signed_off:
            return False
        return super().has_change_permission(request, obj)

    list_display = ["question", "checklist", "section", "required", "status", "rating", "due_date"]
    list_filter = ["status", "section", "required"]
    search_fields = ["question", "checklist__partnership__title", "evidence_notes"]
    list_select_related = ["checklist__partnership"]
    inlines = [EvidenceInline]


@admin.register(Evidence)
class EvidenceAdmin(EvidenceFileAdmin, admin.ModelAdmin):
    list_display = ["original_name", "item", "size", "uploaded_by", "uploaded_at"]
    readonly_fields = ["download", "original_name", "size", "uploaded_by", "uploaded_at"]
    list_filter = ["uploaded_at"]
    search_fields = ["original_name", "item__question"]
    list_select_related = ["item", "uploaded_by"]


class IdsOnlyAutocompleteSelect(AutocompleteSelect):
    """Django's autocomplete looks the chosen value up as it was typed (``?contact=`` in the
    URL, or a posted form): a value that is not an id would be a server error, so it is
    treated as no choice and the form says the field is wrong."""

    def optgroups(self, name, value, attr=None):
        return super().optgroups(name, [v for v in value if parse_id(v)], attr)


@admin.register(GovernanceRole)
class GovernanceRoleAdmin(admin.ModelAdmin):
    list_display = ["__str__", "partnership", "kind", "level", "escalation_step"]
    list_filter = ["kind", "level"]
    search_fields = [
        "partnership__title",
        "user__username",
        "user__last_name",
        "contact__name",
        "responsibilities",
    ]
    list_select_related = ["partnership", "user", "contact"]
    autocomplete_fields = ["contact"]

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        if db_field.name in self.autocomplete_fields:
            kwargs["widget"] = IdsOnlyAutocompleteSelect(db_field, self.admin_site)
        return super().formfield_for_foreignkey(db_field, request, **kwargs)


@admin.register(RaciAssignment)
class RaciAssignmentAdmin(admin.ModelAdmin):
    list_display = ["partnership", "role", "area", "letter"]
    list_filter = ["area", "letter"]
    search_fields = ["partnership__title"]
    list_select_related = ["partnership", "role__user", "role__contact"]


@admin.register(MeetingCadence)
class MeetingCadenceAdmin(admin.ModelAdmin):
    list_display = ["partnership", "kind", "frequency", "start_date", "is_active"]
    list_filter = ["kind", "frequency", "is_active"]
    search_fields = ["partnership__title"]
    list_select_related = ["partnership"]


class DecisionInline(admin.TabularInline):
    model = Decision
    extra = 0


class ActionItemInline(admin.TabularInline):
    model = ActionItem
    extra = 0
    fields = ["title", "owner", "owner_contact", "due_date", "status"]


@admin.register(Meeting)
class MeetingAdmin(admin.ModelAdmin):
    list_display = ["title", "partnership", "kind", "held_on"]
    list_filter = ["kind", "held_on"]
    search_fields = ["title", "partnership__title", "agenda", "minutes"]
    list_select_related = ["partnership"]
    date_hierarchy = "held_on"
    filter_horizontal = ["attendees", "partner_attendees"]
    inlines = [DecisionInline, ActionItemInline]


@admin.register(Decision)
class DecisionAdmin(admin.ModelAdmin):
    list_display = ["__str__", "meeting", "decided_by", "area"]
    list_filter = ["area"]
    search_fields = ["summary", "meeting__title"]
    list_select_related = ["meeting", "decided_by__user", "decided_by__contact"]


@admin.register(ActionItem)
class ActionItemAdmin(admin.ModelAdmin):
    list_display = ["title", "partnership", "owner", "owner_contact", "due_date", "status"]
    list_filter = ["status", "due_date"]
    search_fields = ["title", "partnership__title", "notes"]
    list_select_related = ["partnership", "owner", "owner_contact"]


@admin.register(PerformanceReview)
class PerformanceReviewAdmin(admin.ModelAdmin):
    list_display = ["partnership", "period_start", "period_end", "rating", "recommendation"]
    list_filter = ["recommendation", "rating"]
    search_fields = ["partnership__title", "went_well", "went_badly"]
    list_select_related = ["partnership"]


class RiskScoreChangeInline(admin.TabularInline):
    model = RiskScoreChange
    extra = 0
    can_delete = False
    readonly_fields = [
        "likelihood_before",
        "impact_before",
        "likelihood",
        "impact",
        "note",
        "changed_by",
        "changed_at",
    ]

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(Risk)
class RiskAdmin(admin.ModelAdmin):
    list_display = ["title", "partnership", "category", "likelihood", "impact", "score", "status"]
    list_filter = ["category", "status", "likelihood", "impact"]
    search_fields = ["title", "description", "partnership__title"]
    list_select_related = ["partnership"]
    inlines = [RiskScoreChangeInline]

    def save_model(self, request, obj, form, change):
        from .services import risk_save

        risk_save(risk=obj, by=request.user, note="Changed in the admin.")


@admin.register(RiskScoreChange)
class RiskScoreChangeAdmin(admin.ModelAdmin):
    list_display = ["risk", "likelihood_before", "impact_before", "likelihood", "impact"]
    list_select_related = ["risk"]
    search_fields = ["risk__title", "note"]

    def has_change_permission(self, request, obj=None):
        return False
