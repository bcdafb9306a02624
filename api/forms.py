from django import forms

from . import tokens
from .models import ApiToken, Scope


class TokenForm(forms.Form):
    name = forms.CharField(
        max_length=ApiToken._meta.get_field("name").max_length,
        help_text="What the token is for, e.g. “CRM nightly sync”.",
        error_messages={"required": "Give the token a name, so you can tell it apart later."},
    )
    scopes = forms.MultipleChoiceField(
        choices=Scope.choices,
        widget=forms.CheckboxSelectMultiple,
        initial=[Scope.READ],
        help_text="Grant only what the script needs.",
        error_messages={"required": "Choose at least one scope."},
    )
    expires_on = forms.DateField(
        label="Expires on",
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        help_text=f"At most a year from today; {tokens.DEFAULT_DAYS} days unless you change it. "
        "The token works until the end of that day.",
        error_messages={
            "required": "Choose the day the token stops working.",
            "invalid": "Enter a date such as 2027-03-31.",
        },
    )

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.user = user
        self.fields["expires_on"].initial = tokens.default_expiry_date()

    def clean_name(self):
        name = self.cleaned_data["name"].strip()
        if tokens.tokens_of(self.user).usable().filter(name__iexact=name).exists():
            raise forms.ValidationError("You already have a working token with this name.")
        return name

    def clean_expires_on(self):
        expires_on = self.cleaned_data["expires_on"]
        problem = tokens.expiry_problem(expires_on)
        if problem:
            raise forms.ValidationError(problem)
        return expires_on
