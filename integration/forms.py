from django import forms
from django.utils import timezone

from partnerships.forms import DateInput, UserChoiceField, people

from . import plans, selectors
from .models import Milestone, Rag, Workstream


class ContactChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj):
        return f"{obj.name} ({obj.job_title})" if obj.job_title else obj.name


class MilestoneChoiceField(forms.ModelMultipleChoiceField):
    widget = forms.CheckboxSelectMultiple

    def label_from_instance(self, obj):
        return f"{obj.title} (due {obj.due_date:%d %b %Y})"


class WorkstreamForm(forms.ModelForm):
    owner = UserChoiceField(queryset=None, required=False, label="Owner (our side)")
    partner_owner = ContactChoiceField(queryset=None, required=False, label="Owner (partner)")

    class Meta:
        model = Workstream
        fields = ["kind", "title", "owner", "partner_owner", "start_date", "rag", "rag_note"]
        widgets = {"start_date": DateInput()}

    def __init__(self, *args, partnership, **kwargs):
        super().__init__(*args, **kwargs)
        self.instance.partnership = partnership
        if not self.initial.get("start_date"):
            self.initial["start_date"] = timezone.localdate()
        self.fields["owner"].queryset = people()
        self.fields["partner_owner"].queryset = partnership.partner.contacts.all()

    def clean(self):
        data = super().clean()
        if data.get("rag") in (Rag.AMBER, Rag.RED) and not (data.get("rag_note") or "").strip():
            self.add_error("rag_note", "Say why the workstream is amber or red.")
        return data


class MilestoneForm(forms.ModelForm):
    owner = UserChoiceField(queryset=None, required=False, label="Owner (our side)")
    owner_contact = ContactChoiceField(queryset=None, required=False, label="Owner (partner)")
    depends_on = MilestoneChoiceField(
        queryset=None,
        required=False,
        label="Depends on",
        help_text="Milestones that must be done first; this one cannot be due before them.",
    )

    class Meta:
        model = Milestone
        fields = ["title", "deliverable", "due_date", "owner", "owner_contact", "depends_on"]
        widgets = {"due_date": DateInput()}
        help_texts = {"deliverable": "What is handed over when it is done."}

    def __init__(self, *args, workstream, **kwargs):
        super().__init__(*args, **kwargs)
        self.instance.workstream = workstream
        partnership = workstream.partnership
        self.fields["owner"].queryset = people()
        self.fields["owner_contact"].queryset = partnership.partner.contacts.all()
        others = Milestone.objects.filter(workstream__partnership=partnership)
        if self.instance.pk:
            others = others.exclude(pk=self.instance.pk)
        self.fields["depends_on"].queryset = others.order_by("due_date", "pk")

    def clean(self):
        data = super().clean()
        if bool(data.get("owner")) == bool(data.get("owner_contact")):
            raise forms.ValidationError(
                "Give the milestone one owner: someone on our side or a partner contact."
            )
        due, deps = data.get("due_date"), data.get("depends_on") or []
        if due and deps:
            graph, titles, dues, _ = selectors.plan_graph(self.instance.workstream.partnership_id)
            errors = plans.dependency_errors(
                self.instance.pk, due, [d.pk for d in deps], graph, titles=titles, dues=dues
            )
            for error in errors:
                self.add_error("depends_on", error)
        return data


class CompleteForm(forms.Form):
    done_on = forms.DateField(widget=DateInput(), label="Done on")
    override_reason = forms.CharField(
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        label="Override reason",
        help_text="Needed only when a milestone it depends on is not done yet.",
    )

    def __init__(self, *args, milestone, **kwargs):
        super().__init__(*args, **kwargs)
        self.milestone = milestone
        self.initial.setdefault("done_on", timezone.localdate())

    def clean(self):
        data = super().clean()
        undone = [d.title for d in self.milestone.depends_on.filter(done_on__isnull=True)]
        for error in plans.completion_errors(undone, data.get("override_reason")):
            self.add_error("override_reason", error)
        return data
