from django import forms
from django.core.exceptions import ValidationError

from partnerships.forms import DateInput, UserChoiceField, UserMultipleChoiceField, people
from partnerships.widgets import FastCheckboxSelectMultiple

from . import services
from .models import (
    ActionItem,
    Checklist,
    ChecklistItem,
    ChecklistTemplate,
    Decision,
    DecisionArea,
    GovernanceRole,
    ItemStatus,
    Meeting,
    MeetingCadence,
    MeetingKind,
    PerformanceReview,
    RaciLetter,
    Risk,
    RiskCategory,
    RiskStatus,
    default_level,
)
from .uploads import ALLOWED, ALLOWED_LABEL, limit_label, validate_evidence_file

# Due diligence -----------------------------------------------------------------------------


class ChecklistStartForm(forms.Form):
    template = forms.ModelChoiceField(
        queryset=ChecklistTemplate.objects.none(),
        empty_label=None,
        help_text="Its items are copied; later edits to the template do not change this checklist.",
    )
    due_date = forms.DateField(
        required=False, widget=DateInput(), help_text="When due diligence should be complete."
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["template"].queryset = ChecklistTemplate.objects.filter(is_active=True)


class ChecklistDueForm(forms.ModelForm):
    class Meta:
        model = Checklist
        fields = ["due_date"]
        widgets = {"due_date": DateInput()}


class ChecklistItemForm(forms.ModelForm):
    class Meta:
        model = ChecklistItem
        fields = ["status", "rating", "evidence_notes", "waiver_reason", "due_date"]
        widgets = {
            "evidence_notes": forms.Textarea(attrs={"rows": 4}),
            "waiver_reason": forms.Textarea(attrs={"rows": 2}),
            "due_date": DateInput(),
        }
        help_texts = {"waiver_reason": "Required when the item is waived."}

    def clean(self):
        cleaned = super().clean()
        if (
            cleaned.get("status") == ItemStatus.WAIVED
            and not (cleaned.get("waiver_reason") or "").strip()
        ):
            self.add_error("waiver_reason", "Say why this item is waived.")
        return cleaned


class EvidenceForm(forms.Form):
    file = forms.FileField(
        label="Evidence file",
        widget=forms.ClearableFileInput(attrs={"accept": ",".join(f".{ext}" for ext in ALLOWED)}),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["file"].help_text = f"{ALLOWED_LABEL}, up to {limit_label()}."

    def clean_file(self):
        upload = self.cleaned_data["file"]
        validate_evidence_file(upload)
        return upload


class SignOffForm(forms.Form):
    note = forms.CharField(
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
        label="Sign-off note",
        help_text="Optional: conditions or remarks to keep with the sign-off.",
    )


# Governance roles and RACI ----------------------------------------------------------------


class ContactChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj):
        return f"{obj.name} ({obj.job_title})" if obj.job_title else obj.name


class GovernanceRoleForm(forms.ModelForm):
    user = UserChoiceField(
        queryset=None, required=False, label="Person on our side", empty_label="—"
    )
    contact = ContactChoiceField(
        queryset=None, required=False, label="Partner contact", empty_label="—"
    )
    level = forms.ChoiceField(
        choices=[("", "From the role")] + GovernanceRole.Level.choices,
        required=False,
        help_text="Steering and sponsorship roles are strategic; the rest operational.",
    )
    decision_rights = forms.MultipleChoiceField(
        choices=DecisionArea.choices,
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text="What this role may decide.",
    )

    class Meta:
        model = GovernanceRole
        fields = [
            "kind",
            "user",
            "contact",
            "level",
            "responsibilities",
            "decision_rights",
            "escalation_step",
        ]
        widgets = {"responsibilities": forms.Textarea(attrs={"rows": 3})}

    def __init__(self, *args, partnership, **kwargs):
        super().__init__(*args, **kwargs)
        self.instance.partnership = partnership
        self.fields["user"].queryset = people()
        self.fields["contact"].queryset = partnership.partner.contacts.all()
        self.fields[
            "contact"
        ].help_text = f"Someone at {partnership.partner.name}; add contacts on the partner's page."

    def clean_escalation_step(self):
        step = self.cleaned_data.get("escalation_step")
        if step is None:
            return step
        clash = GovernanceRole.objects.filter(
            partnership=self.instance.partnership, escalation_step=step
        ).exclude(pk=self.instance.pk)
        holder = clash.select_related("user", "contact").first()
        if holder:
            raise ValidationError(
                f"Step {step} of the escalation path is already {holder}; pick another step."
            )
        return step

    def clean(self):
        cleaned = super().clean()
        if not cleaned.get("level") and cleaned.get("kind"):
            cleaned["level"] = default_level(cleaned["kind"])
            self.instance.level = cleaned["level"]
        kind, user, contact = cleaned.get("kind"), cleaned.get("user"), cleaned.get("contact")
        same = GovernanceRole.objects.filter(
            partnership=self.instance.partnership, kind=kind
        ).exclude(pk=self.instance.pk)
        if kind and user and same.filter(user=user).exists():
            self.add_error("user", "This person already holds this role here.")
        if kind and contact and same.filter(contact=contact).exists():
            self.add_error("contact", "This contact already holds this role here.")
        return cleaned


def raci_field_name(role_pk, area):
    return f"raci-{role_pk}-{area}"


class RaciForm(forms.Form):
    """One select per (role, decision area); saved whole through ``services.raci_set``."""

    def __init__(self, *args, partnership, roles, assignments, **kwargs):
        super().__init__(*args, **kwargs)
        self.partnership = partnership
        self.roles = roles
        current = {(a.role_id, a.area): a.letter for a in assignments}
        choices = [("", "—")] + [(v, v) for v in RaciLetter.values]
        for role in roles:
            for area in DecisionArea.values:
                label = f"{role} · {DecisionArea(area).label}"
                self.fields[raci_field_name(role.pk, area)] = forms.ChoiceField(
                    choices=choices,
                    required=False,
                    initial=current.get((role.pk, area), ""),
                    label=label,
                    widget=forms.Select(attrs={"aria-label": label}),
                )

    def cells(self):
        return {
            (role.pk, area): self.cleaned_data.get(raci_field_name(role.pk, area), "")
            for role in self.roles
            for area in DecisionArea.values
        }

    def clean(self):
        cleaned = super().clean()
        if not self.errors:
            conflicts = services.raci_conflicts(self.partnership, self.cells(), self.roles)
            for message in conflicts:
                self.add_error(None, message)
        return cleaned

    def rows(self):
        """[(role, [(area, bound field, is_conflict)])] for the matrix template."""
        conflict_areas = set()
        if self.is_bound and self.non_field_errors():
            data = {
                (role.pk, area): self.data.get(raci_field_name(role.pk, area), "")
                for role in self.roles
                for area in DecisionArea.values
            }
            for area in DecisionArea.values:
                if sum(1 for (_, a), v in data.items() if a == area and v == "A") > 1:
                    conflict_areas.add(area)
        return [
            (
                role,
                [
                    (area, self[raci_field_name(role.pk, area)], area in conflict_areas)
                    for area in DecisionArea.values
                ],
            )
            for role in self.roles
        ]


# Meetings, decisions, actions, reviews -----------------------------------------------------


class ContactMultipleChoiceField(forms.ModelMultipleChoiceField):
    def label_from_instance(self, obj):
        return obj.name


class MeetingCadenceForm(forms.ModelForm):
    class Meta:
        model = MeetingCadence
        fields = ["kind", "frequency", "start_date", "is_active", "notes"]
        widgets = {"start_date": DateInput()}
        labels = {"is_active": "Active"}

    def __init__(self, *args, partnership, **kwargs):
        super().__init__(*args, **kwargs)
        self.instance.partnership = partnership
        self.fields["kind"].choices = [c for c in MeetingKind.choices if c[0] != MeetingKind.AD_HOC]

    def clean_kind(self):
        kind = self.cleaned_data["kind"]
        clash = MeetingCadence.objects.filter(
            partnership=self.instance.partnership, kind=kind
        ).exclude(pk=self.instance.pk)
        if clash.exists():
            raise ValidationError("This partnership already has a cadence for this meeting.")
        return kind


class MeetingForm(forms.ModelForm):
    attendees = UserMultipleChoiceField(
        queryset=None, required=False, widget=FastCheckboxSelectMultiple, label="Our attendees"
    )
    partner_attendees = ContactMultipleChoiceField(
        queryset=None,
        required=False,
        widget=forms.CheckboxSelectMultiple,
        label="Partner attendees",
    )

    class Meta:
        model = Meeting
        fields = ["kind", "title", "held_on", "attendees", "partner_attendees", "agenda", "minutes"]
        widgets = {
            "held_on": DateInput(),
            "agenda": forms.Textarea(attrs={"rows": 4}),
            "minutes": forms.Textarea(attrs={"rows": 6}),
        }

    def __init__(self, *args, partnership, **kwargs):
        super().__init__(*args, **kwargs)
        self.instance.partnership = partnership
        self.fields["attendees"].queryset = people()
        self.fields["partner_attendees"].queryset = partnership.partner.contacts.all()


class RoleChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj):
        return f"{obj.person_name} — {obj.get_kind_display()}"


class DecisionForm(forms.ModelForm):
    decided_by = RoleChoiceField(queryset=None, label="Decided by")

    class Meta:
        model = Decision
        fields = ["summary", "decided_by", "area"]
        widgets = {"summary": forms.Textarea(attrs={"rows": 3})}

    def __init__(self, *args, partnership, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["decided_by"].queryset = partnership.governance_roles.select_related(
            "user", "contact"
        )
        self.fields[
            "decided_by"
        ].help_text = "A governance role holding the decision right (or Accountable for the area)."

    def clean(self):
        cleaned = super().clean()
        role, area = cleaned.get("decided_by"), cleaned.get("area")
        if role and area:
            try:
                services.decision_check(role=role, area=area)
            except ValidationError as error:
                self.add_error(None, error)
        return cleaned


class ActionItemForm(forms.ModelForm):
    owner = UserChoiceField(queryset=None, required=False, label="Owner (our side)")
    owner_contact = ContactChoiceField(queryset=None, required=False, label="Owner (partner)")

    class Meta:
        model = ActionItem
        fields = ["title", "owner", "owner_contact", "due_date", "status", "meeting", "notes"]
        widgets = {"due_date": DateInput(), "notes": forms.Textarea(attrs={"rows": 3})}
        labels = {"meeting": "From meeting"}

    def __init__(self, *args, partnership, **kwargs):
        super().__init__(*args, **kwargs)
        self.instance.partnership = partnership
        self.fields["owner"].queryset = people()
        self.fields["owner_contact"].queryset = partnership.partner.contacts.all()
        self.fields["meeting"].queryset = partnership.meetings.all()
        self.fields["meeting"].required = False


class PerformanceReviewForm(forms.ModelForm):
    class Meta:
        model = PerformanceReview
        fields = [
            "period_start",
            "period_end",
            "rating",
            "went_well",
            "went_badly",
            "recommendation",
            "notes",
            "reviewed_on",
        ]
        widgets = {
            "period_start": DateInput(),
            "period_end": DateInput(),
            "reviewed_on": DateInput(),
            "went_well": forms.Textarea(attrs={"rows": 3}),
            "went_badly": forms.Textarea(attrs={"rows": 3}),
            "notes": forms.Textarea(attrs={"rows": 2}),
        }

    def __init__(self, *args, partnership, **kwargs):
        super().__init__(*args, **kwargs)
        self.instance.partnership = partnership


# Risks -----------------------------------------------------------------------------------


class RiskForm(forms.ModelForm):
    owner = UserChoiceField(queryset=None, required=False, label="Risk owner")
    change_note = forms.CharField(
        required=False,
        max_length=300,
        label="Why the score changed",
        help_text="Kept in the risk's history when likelihood or impact change.",
    )

    class Meta:
        model = Risk
        fields = [
            "title",
            "category",
            "description",
            "likelihood",
            "impact",
            "owner",
            "status",
            "review_date",
            "mitigation",
            "contingency",
        ]
        widgets = {
            "review_date": DateInput(),
            "description": forms.Textarea(attrs={"rows": 3}),
            "mitigation": forms.Textarea(attrs={"rows": 3}),
            "contingency": forms.Textarea(attrs={"rows": 3}),
        }

    def __init__(self, *args, partnership, **kwargs):
        super().__init__(*args, **kwargs)
        self.instance.partnership = partnership
        self.fields["owner"].queryset = people()
        if not self.instance.pk:
            del self.fields["change_note"]


class RiskFilterForm(forms.Form):
    SCALE = [("", "Any")] + [(str(n), str(n)) for n in range(1, 6)]
    STATUS = [("open", "Not closed"), ("", "Any status")] + RiskStatus.choices

    likelihood = forms.TypedChoiceField(choices=SCALE, required=False, coerce=int, empty_value=None)
    impact = forms.TypedChoiceField(choices=SCALE, required=False, coerce=int, empty_value=None)
    category = forms.ChoiceField(
        choices=[("", "Any category")] + RiskCategory.choices, required=False
    )
    status = forms.ChoiceField(choices=STATUS, required=False)
    overdue = forms.BooleanField(required=False, label="Review overdue")

    def apply(self, queryset, *, today):
        if not self.is_valid():
            return queryset.exclude(status=RiskStatus.CLOSED)
        data = self.cleaned_data
        status = data["status"] if "status" in self.data else "open"
        if status == "open":
            queryset = queryset.exclude(status=RiskStatus.CLOSED)
        elif status:
            queryset = queryset.filter(status=status)
        if data["likelihood"]:
            queryset = queryset.filter(likelihood=data["likelihood"])
        if data["impact"]:
            queryset = queryset.filter(impact=data["impact"])
        if data["category"]:
            queryset = queryset.filter(category=data["category"])
        if data["overdue"]:
            queryset = queryset.exclude(status=RiskStatus.CLOSED).filter(review_date__lt=today)
        return queryset
