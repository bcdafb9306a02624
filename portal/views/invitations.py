from django import forms
from django.contrib import messages
from django.contrib.auth import login, password_validation
from django.contrib.auth.decorators import login_not_required
from django.core.exceptions import ValidationError
from django.shortcuts import redirect, render
from django.urls import path

from .. import invites


class SetPasswordForm(forms.Form):
    password1 = forms.CharField(label="Choose a password", widget=forms.PasswordInput)
    password2 = forms.CharField(label="Type it again", widget=forms.PasswordInput)

    def clean(self):
        data = super().clean()
        if data.get("password1") != data.get("password2"):
            raise ValidationError("The two passwords differ.")
        if data.get("password1"):
            password_validation.validate_password(data["password1"])
        return data


@login_not_required
def accept(request, token):
    try:
        invitation = invites.invitation_from_token(token)
    except ValidationError as error:
        return render(
            request, "portal/accept.html", {"problem": " ".join(error.messages)}, status=410
        )
    form = SetPasswordForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            profile = invites.accept(token=token, password=form.cleaned_data["password1"])
        except ValidationError as error:
            return render(
                request, "portal/accept.html", {"problem": " ".join(error.messages)}, status=410
            )
        login(request, profile.user, backend="config.auth.UserBackend")
        messages.success(request, f"Welcome, {profile.contact.name}. Your password is set.")
        return redirect("portal:home")
    context = {"invitation": invitation, "form": form, "partner": invitation.contact.partner}
    return render(request, "portal/accept.html", context)


urlpatterns = [
    path("invitation/<str:token>/", accept, name="accept"),
]
