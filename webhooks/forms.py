from urllib.parse import urlsplit

from django import forms

from .models import Event, Webhook

# Plain http only to this machine, while developing: anything else would carry the signed
# alerts in clear over the network.
LOCAL_HOSTS = ("localhost", "127.0.0.1")


def url_problem(url):
    """What is wrong with a target URL, in words, or None."""
    try:
        parts = urlsplit(url)
        host = (parts.hostname or "").lower()
    except ValueError:
        return "Enter the full address, e.g. https://hooks.slack.com/services/…"
    if parts.scheme == "https" and host:
        return None
    if parts.scheme == "http" and host in LOCAL_HOSTS:
        return None
    if parts.scheme == "http":
        return (
            "Use an https:// address: plain http:// is accepted only for localhost or "
            "127.0.0.1, while developing."
        )
    return "Enter an https:// address, e.g. https://hooks.slack.com/services/…"


class WebhookForm(forms.ModelForm):
    events = forms.MultipleChoiceField(
        choices=Event.choices,
        widget=forms.CheckboxSelectMultiple,
        label="Events it receives",
        error_messages={"required": "Choose at least one event to send."},
    )

    class Meta:
        model = Webhook
        fields = ["name", "url", "format", "events", "is_active"]
        help_texts = {
            "url": "Where Concord posts each event. For Slack or Teams, the incoming webhook "
            "URL the channel's settings give you.",
            "format": "Slack and Teams post a ready-made message to a channel; generic JSON is "
            "for your own systems.",
            "is_active": "Turned off, it receives nothing (not even what was waiting to be sent).",
        }
        error_messages = {
            "url": {"invalid": "Enter the full address, e.g. https://hooks.slack.com/services/…"}
        }

    def clean_url(self):
        url = self.cleaned_data["url"].strip()
        problem = url_problem(url)
        if problem:
            raise forms.ValidationError(problem)
        return url

    def clean_name(self):
        name = self.cleaned_data["name"].strip()
        if not name:
            raise forms.ValidationError("Name it after where it goes, e.g. “#partnerships”.")
        return name
