from django.contrib import admin

from .models import Document, DocumentVersion, Fulfilment, Obligation, ObligationChange


class VersionInline(admin.TabularInline):
    model = DocumentVersion
    extra = 0
    readonly_fields = ["number", "original_name", "size", "uploaded_by", "uploaded_at"]


@admin.register(Document)
class DocumentAdmin(admin.ModelAdmin):
    list_display = ["title", "kind", "agreement", "created_at"]
    list_select_related = ["agreement__partnership"]
    inlines = [VersionInline]


@admin.register(Obligation)
class ObligationAdmin(admin.ModelAdmin):
    list_display = ["description", "partnership", "party", "recurrence", "first_due", "status"]
    list_filter = ["party", "recurrence", "status"]
    list_select_related = ["partnership"]
    raw_id_fields = ["agreement", "partnership", "owner", "owner_contact"]


@admin.register(Fulfilment)
class FulfilmentAdmin(admin.ModelAdmin):
    list_display = ["obligation", "due_date", "fulfilled_on", "recorded_by"]
    raw_id_fields = ["obligation", "recorded_by"]


@admin.register(ObligationChange)
class ObligationChangeAdmin(admin.ModelAdmin):
    list_display = ["obligation", "kind", "amendment", "changed_by", "changed_at"]
    raw_id_fields = ["obligation", "partnership", "amendment", "changed_by"]


@admin.register(DocumentVersion)
class DocumentVersionAdmin(admin.ModelAdmin):
    list_display = ["document", "number", "original_name", "uploaded_by", "uploaded_at"]
    list_select_related = ["document", "uploaded_by"]
    raw_id_fields = ["document", "uploaded_by"]
