"""Forms of the contract documents and obligations; the services do the writing."""

from django import forms

from governance.uploads import ALLOWED, ALLOWED_LABEL, limit_label, validate_evidence_file
from partnerships.access import possible_owners
from partnerships.forms import DateInput, UserChoiceField

from .models import Document, Obligation

ACCEPT = ",".join(f".{ext}" for ext in ALLOWED)


class AmendmentChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj):
        return f"{obj.effective_date:%-d %b %Y}: {obj.reason[:60]}"


def _amendment_field(agreement, help_text):
    field = AmendmentChoiceField(
        queryset=agreement.amendments.all(),
        required=False,
        label="Under amendment",
        empty_label="No amendment",
        help_text=help_text,
    )
    return field


class _FileMixin:
    def _file_help(self, name):
        self.fields[name].help_text = f"{ALLOWED_LABEL}, up to {limit_label()}."

    def clean_file(self):
        upload = self.cleaned_data.get("file")
        if upload:
            validate_evidence_file(upload)
        return upload


class DocumentForm(_FileMixin, forms.ModelForm):
    file = forms.FileField(widget=forms.ClearableFileInput(attrs={"accept": ACCEPT}))
    note = forms.CharField(required=False, max_length=255, label="Note on this version")

    class Meta:
        model = Document
        fields = ["title", "kind", "amendment"]

    def __init__(self, *args, agreement, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["amendment"] = _amendment_field(
            agreement, "For an amendment's document: the amendment it records."
        )
        self._file_help("file")


class VersionForm(_FileMixin, forms.Form):
    file = forms.FileField(
        label="New version", widget=forms.ClearableFileInput(attrs={"accept": ACCEPT})
    )
    note = forms.CharField(
        required=False, max_length=255, label="What changed", help_text="The earlier versions stay."
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self._file_help("file")


class ObligationForm(forms.ModelForm):
    owner = UserChoiceField(queryset=None, required=False, label="Owner (our side)")
    note = forms.CharField(
        required=False,
        label="Why",
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text="Kept in the obligation's history.",
    )

    class Meta:
        model = Obligation
        fields = ["party", "description", "owner", "first_due", "recurrence", "ends_on"]
        widgets = {"first_due": DateInput(), "ends_on": DateInput()}
        labels = {"party": "Who owes it", "description": "What is owed"}
        help_texts = {
            "owner": "",
            "ends_on": "Leave empty while the agreement runs.",
            "first_due": "A date in the company's time zone.",
        }

    def __init__(self, *args, agreement, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["owner"].queryset = possible_owners()
        self.fields["owner"].help_text = "Who sees it done, or chases the partner for it."
        self.fields["amendment"] = _amendment_field(
            agreement, "The amendment that adds or changes this obligation, if one does."
        )
        self.order_fields([*self.Meta.fields, "amendment", "note"])

    def clean(self):
        data = super().clean()
        first, ends = data.get("first_due"), data.get("ends_on")
        if first and ends and ends < first:
            self.add_error("ends_on", "The obligation cannot end before it is first due.")
        return data

    def terms(self):
        return {name: self.cleaned_data[name] for name in self.Meta.fields}


class EndForm(forms.Form):
    ends_on = forms.DateField(
        label="Ends on", widget=DateInput(), help_text="Nothing falls due after this date."
    )
    note = forms.CharField(required=False, label="Why", widget=forms.Textarea(attrs={"rows": 2}))

    def __init__(self, *args, agreement, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["amendment"] = _amendment_field(
            agreement, "The amendment that ends this obligation, if one does."
        )
        self.order_fields(["ends_on", "amendment", "note"])

    def clean(self):
        data = super().clean()
        if not (data.get("note") or "").strip() and not data.get("amendment"):
            self.add_error("note", "Say why the obligation ends, or name the amendment.")
        return data


class FulfilForm(_FileMixin, forms.Form):
    due_date = forms.TypedChoiceField(label="Occurrence", coerce=str)
    fulfilled_on = forms.DateField(label="Kept on", widget=DateInput())
    note = forms.CharField(
        required=False,
        label="Evidence",
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text="What shows it was done: a reference, a report, a payment.",
    )
    file = forms.FileField(
        required=False,
        label="Evidence file",
        widget=forms.ClearableFileInput(attrs={"accept": ACCEPT}),
    )

    def __init__(self, *args, occurrences, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["due_date"].choices = [
            (o.due_date.isoformat(), f"Due {o.due_date:%-d %b %Y}") for o in occurrences
        ]
        self._file_help("file")

    def clean(self):
        data = super().clean()
        if not (data.get("note") or "").strip() and not data.get("file"):
            self.add_error("note", "Give the evidence: a note, a file, or both.")
        return data
