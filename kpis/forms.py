from decimal import Decimal

from django import forms
from django.core.exceptions import ValidationError
from django.db.models import F
from django.utils import timezone

from partnerships.currencies import currency_kept
from partnerships.forms import DateInput, UserChoiceField, people
from partnerships.models import Partnership
from partnerships.widgets import FastSelect

from . import periods, services
from .models import CorrectiveAction, Kpi, Severity, threshold_problems
from .services import DEFAULT_CHECKPOINT_DAYS, parse_checkpoint_days, read_value


class KpiForm(forms.ModelForm):
    owner = UserChoiceField(queryset=people().none(), required=False)

    class Meta:
        model = Kpi
        fields = [
            "name",
            "objective",
            "description",
            "unit",
            "currency",
            "direction",
            "target",
            "warning",
            "critical",
            "baseline",
            "frequency",
            "aggregation",
            "owner",
            "is_active",
        ]
        widgets = {"description": forms.Textarea(attrs={"rows": 2})}
        help_texts = {
            "target": "The value you aim for in each period.",
        }

    def __init__(self, *args, partnership, **kwargs):
        super().__init__(*args, **kwargs)
        self.partnership = partnership
        self.instance.partnership = partnership
        self.fields["objective"].queryset = partnership.objectives.all()
        self.fields["objective"].empty_label = "Choose the objective it measures"
        self.fields["owner"].queryset = people()
        for name in ("target", "warning", "critical", "baseline"):
            self.fields[name].widget.attrs["step"] = "any"
            value = self.initial.get(name)
            if isinstance(value, Decimal):  # 95, not 95.000000
                self.initial[name] = format(value.normalize(), "f")
        if not self.instance.pk:
            del self.fields["is_active"]
        currency_kept(self)

    def clean_name(self):
        name = " ".join(self.cleaned_data["name"].split())
        clash = Kpi.objects.filter(partnership=self.partnership, name__iexact=name)
        if clash.exclude(pk=self.instance.pk).exists():
            raise ValidationError("This partnership already has a KPI with this name.")
        return name

    def clean(self):
        cleaned = super().clean()
        problems = threshold_problems(
            cleaned.get("direction"),
            cleaned.get("target"),
            cleaned.get("warning"),
            cleaned.get("critical"),
        )
        for name, message in problems.items():
            if name not in self.errors:
                self.add_error(name, message)
        return cleaned

    def changes(self):
        return {name: self.cleaned_data[name] for name in self.changed_data}


class MeasurementForm(forms.Form):
    period = forms.CharField(
        help_text="The first day of the period (e.g. 2024-03-01), or 2024-W10, 2024-03, 2024-Q1."
    )
    value = forms.CharField()
    note = forms.CharField(required=False, max_length=500)

    def __init__(self, *args, kpi, **kwargs):
        super().__init__(*args, **kwargs)
        self.kpi = kpi
        self.fields["value"].help_text = f"In {kpi.get_unit_display().lower()}."

    def clean_period(self):
        try:
            return periods.parse_period(self.cleaned_data["period"], self.kpi.frequency)
        except periods.PeriodError as error:
            raise ValidationError(str(error)) from None

    def clean_value(self):
        return read_value(self.cleaned_data["value"])


class ImportUploadForm(forms.Form):
    file = forms.FileField(
        label="Spreadsheet", help_text="A .csv (UTF-8) or .xlsx file with the columns below."
    )

    def clean_file(self):
        upload = self.cleaned_data["file"]
        from .imports import max_bytes

        if not upload.name.lower().endswith((".csv", ".xlsx", ".txt")):
            raise ValidationError("Upload a .csv or .xlsx file.")
        if upload.size > max_bytes():
            raise ValidationError(
                f"The file is {upload.size / 1024 / 1024:.1f} MB; the limit is "
                f"{max_bytes() / 1024 / 1024:.0f} MB. Split it into smaller files."
            )
        if upload.size == 0:
            raise ValidationError("The file is empty.")
        return upload


class AlertFilterForm(forms.Form):
    STATES = [
        ("unresolved", "Open or acknowledged"),
        ("open", "Open (not acknowledged)"),
        ("acknowledged", "Acknowledged"),
        ("resolved", "Resolved"),
        ("all", "All"),
    ]
    q = forms.CharField(required=False, label="Search")
    state = forms.ChoiceField(choices=STATES, required=False, label="State")
    severity = forms.ChoiceField(choices=[("", "Any severity")] + Severity.choices, required=False)
    partnership = forms.ModelChoiceField(
        queryset=Partnership.objects.none(),
        required=False,
        empty_label="Any partnership",
        widget=FastSelect,  # an executive's list holds every partnership
    )

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["partnership"].queryset = (
            Partnership.objects.visible_to(user).select_related("partner").order_by("title")
        )

    def apply(self, queryset):
        data = self.cleaned_data if self.is_valid() else {}
        state = data.get("state") or "unresolved"
        if state == "unresolved":
            queryset = queryset.filter(resolved_at__isnull=True)
        elif state != "all":
            queryset = queryset.filter(state=state)
        if data.get("severity"):
            queryset = queryset.filter(severity=data["severity"])
        if data.get("partnership"):
            queryset = queryset.filter(partnership=data["partnership"])
        if data.get("q"):
            q = data["q"].strip()
            queryset = queryset.filter(kpi__name__icontains=q) | queryset.filter(
                partnership__title__icontains=q
            )
        if state == "resolved":
            return queryset.order_by("-resolved_at", "-pk")
        # Unresolved first; off track before at risk; not yet acknowledged before acknowledged.
        return queryset.order_by(
            F("resolved_at").desc(nulls_first=True), "-severity", "-state", "-opened_at", "-pk"
        )


class AcknowledgeForm(forms.Form):
    comment = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text="What is being done about it — shown on the alert.",
    )


class CorrectiveActionForm(forms.ModelForm):
    owner = UserChoiceField(queryset=people().none())
    checkpoints = forms.CharField(
        initial=", ".join(str(d) for d in DEFAULT_CHECKPOINT_DAYS),
        help_text="Days after today when we check whether the KPI has recovered.",
    )

    class Meta:
        model = CorrectiveAction
        fields = ["description", "owner", "due_date"]
        widgets = {"description": forms.Textarea(attrs={"rows": 3}), "due_date": DateInput()}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["owner"].queryset = people()

    def clean_due_date(self):
        due = self.cleaned_data["due_date"]
        if due < timezone.localdate():
            raise ValidationError("The due date cannot be in the past.")
        return due

    def clean_checkpoints(self):
        days = parse_checkpoint_days(self.cleaned_data["checkpoints"])
        if not days:
            raise ValidationError("Give at least one checkpoint, e.g. 30, 60, 90.")
        return days

    def create(self, *, alert, by):
        """The corrective action from a valid form (the service may still refuse it)."""
        data = self.cleaned_data
        return services.action_create(
            alert=alert,
            by=by,
            description=data["description"],
            owner=data["owner"],
            due_date=data["due_date"],
            checkpoint_days=data["checkpoints"],
        )


class CorrectiveActionEditForm(forms.ModelForm):
    owner = UserChoiceField(queryset=people().none())

    class Meta:
        model = CorrectiveAction
        fields = ["description", "owner", "owner_contact", "due_date", "state", "outcome"]
        widgets = {
            "description": forms.Textarea(attrs={"rows": 3}),
            "outcome": forms.Textarea(attrs={"rows": 3}),
            "due_date": DateInput(),
        }
        help_texts = {"outcome": "What the action achieved (needed to mark it done)."}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["owner"].queryset = people()
        # A contact of this partnership's partner may own the action too (they see and
        # update it in the partner portal).
        contacts = self.fields["owner_contact"]
        contacts.queryset = contacts.queryset.filter(
            partner_id=self.instance.partnership.partner_id
        )
        contacts.help_text = "Someone at the partner who carries it out; they see it in the portal."

    def clean(self):
        cleaned = super().clean()
        if (
            cleaned.get("state") == CorrectiveAction.State.DONE
            and not (cleaned.get("outcome") or "").strip()
        ):
            self.add_error("outcome", "Say what the action achieved before closing it.")
        return cleaned


class CheckpointForm(forms.Form):
    note = forms.CharField(required=False, widget=forms.Textarea(attrs={"rows": 2}))
