"""The history pages' filters: what kind of object, which change, who, through what, when."""

from datetime import datetime, time, timedelta

from django import forms
from django.contrib.auth import get_user_model
from django.db.models import Q
from django.utils import timezone

from . import registry
from .context import SHELL, SOURCES

ACTIONS = [("", "Any change"), ("insert", "Created"), ("update", "Changed"), ("delete", "Deleted")]


def _model_choices(labels):
    named = sorted(
        (registry.followed_model(label)._meta.verbose_name.capitalize(), label) for label in labels
    )
    return [("", "Any kind")] + [(label, name) for name, label in named]


class HistoryFilterForm(forms.Form):
    model = forms.ChoiceField(label="Kind", required=False)
    action = forms.ChoiceField(label="Change", choices=ACTIONS, required=False)
    actor = forms.TypedChoiceField(label="Who", required=False, coerce=int, empty_value=None)
    source = forms.ChoiceField(
        label="Through", choices=[("", "Anything")] + list(SOURCES.items()), required=False
    )
    since = forms.DateField(
        label="From", required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    until = forms.DateField(
        label="To", required=False, widget=forms.DateInput(attrs={"type": "date"})
    )

    def __init__(self, data, *, labels):
        super().__init__(data)
        self.fields["model"].choices = _model_choices(labels)
        people = get_user_model().objects.filter(is_active=True).order_by("first_name", "username")
        self.fields["actor"].choices = [("", "Anyone")] + [
            (user.pk, user.get_full_name() or user.username) for user in people
        ]

    def clean(self):
        data = super().clean()
        since, until = data.get("since"), data.get("until")
        if since and until and since > until:
            self.add_error("until", "The end date is before the start date.")
        return data

    def models(self):
        """The followed models to read (only the one asked for), or None for all."""
        if self.is_valid() and self.cleaned_data["model"]:
            return [self.cleaned_data["model"]]
        return None

    def _bounds(self):
        zone = timezone.get_current_timezone()
        since, until = self.cleaned_data["since"], self.cleaned_data["until"]
        start = datetime.combine(since, time.min, tzinfo=zone) if since else None
        end = datetime.combine(until + timedelta(days=1), time.min, tzinfo=zone) if until else None
        return start, end

    def conditions(self):
        """The filters as SQL over an event table's ``_event`` and its ``_pgh_context``
        (``audit.queries.history``); ``apply`` is their plain reference over ``Events``."""
        if not self.is_valid():
            return []
        data = self.cleaned_data
        found = []
        if data["action"]:
            found.append(("_event.pgh_label = %s", [data["action"]]))
        if data["actor"]:
            found.append(("(_pgh_context.metadata->>'user')::integer = %s", [data["actor"]]))
        if data["source"] == SHELL:
            found.append(("COALESCE(_pgh_context.metadata->>'source', %s) = %s", [SHELL, SHELL]))
        elif data["source"]:
            found.append(("_pgh_context.metadata->>'source' = %s", [data["source"]]))
        start, end = self._bounds()
        if start:
            found.append(("_event.pgh_created_at >= %s", [start]))
        if end:
            found.append(("_event.pgh_created_at < %s", [end]))
        return found

    def apply(self, queryset):
        if not self.is_valid():
            return queryset
        data = self.cleaned_data
        if data["action"]:
            queryset = queryset.filter(pgh_label=data["action"])
        if data["actor"]:
            queryset = queryset.filter(user=data["actor"])
        if data["source"] == SHELL:
            queryset = queryset.filter(Q(source=SHELL) | Q(source__isnull=True))
        elif data["source"]:
            queryset = queryset.filter(source=data["source"])
        start, end = self._bounds()
        if start:
            queryset = queryset.filter(pgh_created_at__gte=start)
        if end:
            queryset = queryset.filter(pgh_created_at__lt=end)
        return queryset
