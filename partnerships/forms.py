from datetime import timedelta

from django import forms
from django.contrib.auth import get_user_model
from django.db.models import F, Q

from . import portfolio
from .access import possible_owners
from .currencies import currency_kept
from .models import (
    Agreement,
    Contact,
    Interaction,
    Objective,
    Partner,
    Partnership,
    Stage,
    StrategicGoal,
)
from .roles import ALL_ROLES
from .stages import is_sentence
from .widgets import FastCheckboxSelectMultiple, FastSelect

User = get_user_model()


class DateInput(forms.DateInput):
    input_type = "date"

    def __init__(self, **kwargs):
        super().__init__(format="%Y-%m-%d", **kwargs)


def people():
    """Active users who hold a Concord role, for owner and team pickers."""
    return (
        User.objects.filter(is_active=True)
        .filter(Q(groups__name__in=ALL_ROLES) | Q(is_superuser=True))
        .distinct()
        .order_by("first_name", "last_name", "username")
    )


class UserChoiceField(forms.ModelChoiceField):
    widget = FastSelect  # a company's people: a thousand options are common

    def label_from_instance(self, obj):
        return obj.get_full_name() or obj.username


class UserMultipleChoiceField(forms.ModelMultipleChoiceField):
    def label_from_instance(self, obj):
        return obj.get_full_name() or obj.username


class PartnerForm(forms.ModelForm):
    class Meta:
        model = Partner
        fields = ["name", "kind", "industry", "country", "size", "website", "notes"]
        widgets = {"notes": forms.Textarea(attrs={"rows": 4})}

    def clean_name(self):
        name = " ".join(self.cleaned_data["name"].split())
        clash = Partner.objects.filter(name__iexact=name).exclude(pk=self.instance.pk)
        if clash.exists():
            raise forms.ValidationError("A partner with this name already exists.")
        return name


class ContactForm(forms.ModelForm):
    class Meta:
        model = Contact
        fields = ["name", "job_title", "email", "phone", "is_primary"]

    def clean(self):
        cleaned = super().clean()
        if not cleaned.get("email") and not cleaned.get("phone"):
            raise forms.ValidationError("Give at least an email address or a phone number.")
        return cleaned


class PartnershipForm(forms.ModelForm):
    owner = UserChoiceField(
        queryset=User.objects.none(),
        required=False,
        error_messages={
            "invalid_choice": "Only an executive or a partner manager can own a partnership: "
            "choose one of the people listed."
        },
    )
    team = UserMultipleChoiceField(
        queryset=User.objects.none(),
        required=False,
        widget=FastCheckboxSelectMultiple,
        help_text="Who may see this partnership; partner managers on the team may also edit it.",
    )

    class Meta:
        model = Partnership
        fields = [
            "partner",
            "title",
            "type",
            "owner",
            "team",
            "start_date",
            "end_date",
            "estimated_annual_value",
            "currency",
            "description",
        ]
        widgets = {
            "partner": FastSelect,  # every partner the company works with
            "start_date": DateInput(),
            "end_date": DateInput(),
            "description": forms.Textarea(attrs={"rows": 4}),
        }
        labels = {
            "start_date": "Planned start",
            "end_date": "Planned end",
            "estimated_annual_value": "Estimated annual value",
        }
        help_texts = {
            "estimated_annual_value": "Shown until an agreement with a value is recorded; "
            "from then on the agreement's value is shown.",
        }

    def __init__(self, *args, can_edit_team=True, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["owner"].queryset = possible_owners()
        self.fields["team"].queryset = people()
        if not can_edit_team:
            del self.fields["team"]
        currency_kept(self)


class ObjectiveForm(forms.ModelForm):
    class Meta:
        model = Objective
        fields = [
            "title",
            "goal",
            "side",
            "description",
            "target_date",
            "status_set_by_hand",
            "status",
            "progress",
            "status_reason",
        ]
        widgets = {
            "target_date": DateInput(),
            "description": forms.Textarea(attrs={"rows": 3}),
        }
        labels = {
            "status_set_by_hand": "Set the status and progress by hand",
            "status_reason": "Why by hand",
        }
        help_texts = {
            "status_set_by_hand": "Leave this off and they follow the KPIs that measure this "
            "objective. Set them by hand only when the KPIs cannot tell, and say why.",
            "status_reason": "Shown beside the status, e.g. “Milestone signed off at the "
            "steering committee; no KPI measures it.”",
        }

    def clean(self):
        data = super().clean()
        if data.get("status_set_by_hand") and not is_sentence(data.get("status_reason")):
            self.add_error(
                "status_reason",
                "Say why the status is set by hand, in a short sentence at least (three "
                "words): it is shown to everyone beside the status.",
            )
        return data

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        goals = StrategicGoal.objects.filter(is_active=True)
        if self.instance.pk and self.instance.goal_id:
            goals = StrategicGoal.objects.filter(Q(is_active=True) | Q(pk=self.instance.goal_id))
        self.fields["goal"].queryset = goals
        self.fields["goal"].empty_label = "Choose the strategic goal it serves"


class AgreementForm(forms.ModelForm):
    class Meta:
        model = Agreement
        fields = [
            "reference",
            "signed_on",
            "start_date",
            "end_date",
            "renewal_notice_days",
            "auto_renew",
            "value",
            "currency",
            "exclusivity",
            "key_terms",
        ]
        widgets = {
            "signed_on": DateInput(),
            "start_date": DateInput(),
            "end_date": DateInput(),
            "key_terms": forms.Textarea(attrs={"rows": 4}),
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        currency_kept(self)

    def clean(self):
        cleaned = super().clean()
        end, notice = cleaned.get("end_date"), cleaned.get("renewal_notice_days")
        start = cleaned.get("start_date")
        if end and start and notice is not None and (end - start).days < notice:
            self.add_error(
                "renewal_notice_days",
                "The notice period is longer than the agreement itself.",
            )
        return cleaned


class AmendmentForm(AgreementForm):
    """The agreement's terms plus why they change; saved through ``agreement_amend``."""

    effective_date = forms.DateField(widget=DateInput())
    reason = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 2}), help_text="Why the terms are changing."
    )

    class Meta(AgreementForm.Meta):
        fields = list(Agreement.TERM_FIELDS)

    def clean(self):
        cleaned = super().clean()
        if not self.has_changed() or set(self.changed_data) <= {"effective_date", "reason"}:
            raise forms.ValidationError("Change at least one term to record an amendment.")
        return cleaned

    def term_changes(self):
        return {name: self.cleaned_data[name] for name in Agreement.TERM_FIELDS}


class InteractionForm(forms.ModelForm):
    class Meta:
        model = Interaction
        fields = [
            "kind",
            "occurred_on",
            "subject",
            "participants",
            "summary",
            "outcome",
            "owner",
            "due_on",
            "resolution",
            "resolved_on",
        ]
        widgets = {
            "occurred_on": DateInput(),
            "due_on": DateInput(),
            "resolved_on": DateInput(),
            "summary": forms.Textarea(attrs={"rows": 3}),
            "outcome": forms.Textarea(attrs={"rows": 2}),
            "resolution": forms.Textarea(attrs={"rows": 2}),
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["owner"].queryset = people()

    def clean(self):
        cleaned = super().clean()
        occurred, resolved = cleaned.get("occurred_on"), cleaned.get("resolved_on")
        if occurred and resolved and resolved < occurred:
            self.add_error("resolved_on", "A conflict cannot be resolved before it happened.")
        if cleaned.get("kind") == Interaction.Kind.CONFLICT and not resolved:
            # An open conflict is somebody's to resolve, by a date, or it stays open for ever.
            if not cleaned.get("owner"):
                self.add_error("owner", "Name who resolves this conflict.")
            if not cleaned.get("due_on"):
                self.add_error("due_on", "Give a date by which it should be resolved.")
            elif occurred and cleaned["due_on"] < occurred:
                self.add_error("due_on", "It cannot be due before it happened.")
        return cleaned


class ConflictResolveForm(forms.Form):
    resolution = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 2}),
        max_length=2000,
        label="How it was resolved",
    )

    def clean_resolution(self):
        resolution = self.cleaned_data["resolution"].strip()
        if not is_sentence(resolution):
            raise forms.ValidationError(
                "Say how it was resolved in a short sentence at least (three words)."
            )
        return resolution


class StrategicGoalForm(forms.ModelForm):
    class Meta:
        model = StrategicGoal
        fields = ["title", "description", "is_active"]
        widgets = {"description": forms.Textarea(attrs={"rows": 3})}


class StageMoveForm(forms.Form):
    # No stage is chosen for the user: a move, and ending above all, is a decision.
    to_stage = forms.ChoiceField(
        choices=[("", "Choose a stage…"), *Stage.choices],
        label="Move to",
        error_messages={"required": "Choose the stage to move to."},
    )
    reason = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 2}),
        required=False,
        max_length=2000,
        help_text="A short sentence, required to end a partnership or to force a move.",
    )
    force = forms.BooleanField(
        required=False, help_text="Executives only: move even though conditions are missing."
    )
    # Set by the confirmation that says what ending the partnership will close.
    confirm = forms.BooleanField(required=False, widget=forms.HiddenInput)

    def needs_confirmation(self):
        data = self.cleaned_data
        return data["to_stage"] == Stage.ENDED and not data["confirm"]


def _once(fn):
    """``fn`` evaluated on first use and then kept: choices a form both validates and renders
    cost one query, and none when the page does not need them (an HTMX table refresh)."""
    memo = []

    def choices():
        if not memo:
            memo.append(list(fn()))
        return memo[0]

    return choices


def owner_choices(visible):
    """[(pk, name)] of the people who own a partnership in ``visible``: the only owners the
    filter can find anything for (and not the name of everyone else in the company)."""
    rows = (
        User.objects.filter(pk__in=visible.values("owner_id"))
        .order_by("first_name", "last_name", "username")
        .values_list("pk", "first_name", "last_name", "username")
    )
    return [(pk, f"{first} {last}".strip() or username) for pk, first, last, username in rows]


class PartnershipFilterForm(forms.Form):
    """Filters and sort of the portfolio table, including filters other apps register.

    ``visible`` is the user's portfolio: the owner filter offers the people who own part of it.
    """

    q = forms.CharField(required=False, label="Search")
    stage = forms.ChoiceField(
        choices=[("", "Any stage")] + Stage.choices, required=False, widget=FastSelect
    )
    type = forms.ChoiceField(
        choices=[("", "Any type")] + Partnership.Type.choices, required=False, widget=FastSelect
    )
    owner = forms.TypedChoiceField(coerce=int, empty_value=None, required=False, widget=FastSelect)
    goal = forms.TypedChoiceField(coerce=int, empty_value=None, required=False, widget=FastSelect)
    renewal = forms.TypedChoiceField(
        choices=[("", "Any time"), (30, "Next 30 days"), (90, "Next 90 days"), (365, "Next year")],
        coerce=int,
        empty_value=None,
        required=False,
        label="Renewal / end",
        widget=FastSelect,
    )
    sort = forms.CharField(required=False)

    def __init__(self, *args, visible=None, **kwargs):
        super().__init__(*args, **kwargs)
        visible = Partnership.objects.all() if visible is None else visible
        owners = _once(lambda: owner_choices(visible))
        self.fields["owner"].choices = lambda: [("", "Any owner"), *owners()]
        goals = _once(lambda: StrategicGoal.objects.values_list("pk", "title"))
        self.fields["goal"].choices = lambda: [("", "Any goal"), *goals()]
        for flt in portfolio.filters():
            self.fields[flt.key] = forms.ChoiceField(
                choices=[("", f"Any {flt.label.lower()}"), *flt.choices()],
                required=False,
                label=flt.label,
                widget=FastSelect,
            )

    @property
    def extra_fields(self):
        return [self[flt.key] for flt in portfolio.filters()]

    def sorts(self):
        keys = portfolio.sort_keys()
        return keys | {f"-{k}": f"-{v}" for k, v in keys.items()}

    def clean_sort(self):
        """A column's key (``-`` before it for descending), or "" for the default order:
        the partnerships that need attention first."""
        sort = self.cleaned_data["sort"]
        return sort if sort in self.sorts() else ""

    def apply(self, queryset, *, today):
        """``queryset`` (with the columns' annotations) filtered and sorted as asked."""
        if not self.is_valid():
            return portfolio.by_attention(queryset, today)
        data = self.cleaned_data
        if data["q"]:
            q = data["q"].strip()
            queryset = queryset.filter(
                Q(title__icontains=q) | Q(partner__name__icontains=q) | Q(description__icontains=q)
            )
        if data["stage"]:
            queryset = queryset.filter(stage=data["stage"])
        if data["type"]:
            queryset = queryset.filter(type=data["type"])
        if data["owner"]:
            queryset = queryset.filter(owner=data["owner"])
        if data["goal"]:
            serving = Objective.objects.filter(goal=data["goal"]).values("partnership_id")
            queryset = queryset.filter(pk__in=serving)
        if data["renewal"]:
            horizon = today + timedelta(days=data["renewal"])
            queryset = queryset.filter(next_date__gte=today, next_date__lte=horizon)
        for flt in portfolio.filters():
            if data.get(flt.key):
                queryset = flt.apply(queryset, data[flt.key])
        if (data["sort"] or portfolio.ATTENTION) == portfolio.ATTENTION:
            return portfolio.by_attention(queryset, today)
        order = self.sorts()[data["sort"]]
        nulls = F(order.lstrip("-"))
        nulls = nulls.desc(nulls_last=True) if order.startswith("-") else nulls.asc(nulls_last=True)
        return queryset.order_by(nulls, "pk")

    @property
    def is_filtered(self):
        return self.is_bound and any(
            v for k, v in self.data.items() if k not in ("page", "sort", "format")
        )
