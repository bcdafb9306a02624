from django.contrib import admin

from .models import (
    Agreement,
    Amendment,
    Contact,
    ExchangeRate,
    Interaction,
    Objective,
    Partner,
    Partnership,
    StageMove,
    StrategicGoal,
)


class ContactInline(admin.TabularInline):
    model = Contact
    extra = 0


@admin.register(Partner)
class PartnerAdmin(admin.ModelAdmin):
    list_display = ["name", "kind", "industry", "country", "size"]
    list_filter = ["kind", "size", "country"]
    search_fields = ["name", "industry", "notes"]
    inlines = [ContactInline]


@admin.register(Contact)
class ContactAdmin(admin.ModelAdmin):
    list_display = ["name", "partner", "job_title", "email", "is_primary"]
    list_filter = ["is_primary"]
    search_fields = ["name", "email", "partner__name"]
    list_select_related = ["partner"]


class ObjectiveInline(admin.TabularInline):
    model = Objective
    extra = 0


class StageMoveInline(admin.TabularInline):
    model = StageMove
    extra = 0
    can_delete = False
    readonly_fields = [f.name for f in StageMove._meta.fields if f.name != "id"]

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(Partnership)
class PartnershipAdmin(admin.ModelAdmin):
    list_display = ["title", "partner", "type", "stage", "owner", "end_date"]
    list_filter = ["stage", "type", "owner"]
    search_fields = ["title", "partner__name", "description"]
    list_select_related = ["partner", "owner"]
    filter_horizontal = ["team"]
    readonly_fields = ["stage", "stage_changed_at"]
    inlines = [ObjectiveInline, StageMoveInline]


@admin.register(StrategicGoal)
class StrategicGoalAdmin(admin.ModelAdmin):
    list_display = ["title", "is_active", "created_at"]
    list_filter = ["is_active"]
    search_fields = ["title"]


@admin.register(Objective)
class ObjectiveAdmin(admin.ModelAdmin):
    list_display = ["title", "partnership", "goal", "side", "status", "progress", "target_date"]
    list_filter = ["side", "status", "goal"]
    search_fields = ["title", "partnership__title"]
    list_select_related = ["partnership", "goal"]


class AmendmentInline(admin.TabularInline):
    model = Amendment
    extra = 0
    can_delete = False
    readonly_fields = ["effective_date", "reason", "previous_terms", "new_terms", "changed_by"]

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(Agreement)
class AgreementAdmin(admin.ModelAdmin):
    list_display = ["partnership", "start_date", "end_date", "auto_renew", "exclusivity", "value"]
    list_filter = ["auto_renew", "exclusivity"]
    search_fields = ["partnership__title", "reference"]
    list_select_related = ["partnership"]
    inlines = [AmendmentInline]


@admin.register(Amendment)
class AmendmentAdmin(admin.ModelAdmin):
    list_display = ["agreement", "effective_date", "changed_by", "created_at"]
    list_select_related = ["agreement__partnership", "changed_by"]
    readonly_fields = ["previous_terms", "new_terms"]


@admin.register(Interaction)
class InteractionAdmin(admin.ModelAdmin):
    list_display = ["subject", "partnership", "kind", "occurred_on", "resolved_on"]
    list_filter = ["kind", "occurred_on"]
    search_fields = ["subject", "summary", "partnership__title"]
    list_select_related = ["partnership"]
    date_hierarchy = "occurred_on"


@admin.register(StageMove)
class StageMoveAdmin(admin.ModelAdmin):
    list_display = ["partnership", "from_stage", "to_stage", "moved_by", "moved_at", "forced"]
    list_filter = ["forced", "to_stage"]
    list_select_related = ["partnership", "moved_by"]

    def has_change_permission(self, request, obj=None):
        return False


@admin.register(ExchangeRate)
class ExchangeRateAdmin(admin.ModelAdmin):
    list_display = ["currency", "rate", "valid_from", "updated_by", "updated_at"]
    list_filter = ["currency"]
    date_hierarchy = "valid_from"
    raw_id_fields = ["updated_by"]
