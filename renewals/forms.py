from django import forms

from .models import Decision


class RecommendationForm(forms.Form):
    recommendation = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 3}),
        max_length=4000,
        help_text="What you recommend and why, for the executive who decides.",
    )


class DecisionForm(forms.Form):
    decision = forms.ChoiceField(
        choices=[("", "Choose…"), *Decision.choices],
        help_text="Renew and expand carry on in Active; renegotiate opens the Renewal stage; "
        "exit ends the partnership and closes what is still open.",
    )
    reason = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 3}),
        max_length=4000,
        help_text="Why, in a sentence at least: it goes into the stage history.",
    )
    force = forms.BooleanField(
        required=False,
        label="Move even if a stage condition is not met",
        help_text="Kept in the stage history with what was missing.",
    )
