from zoneinfo import available_timezones

from django import forms
from django.conf import settings

from .building import offsets_phrase
from .models import DigestPreference

REGIONS = (
    "Africa",
    "America",
    "Antarctica",
    "Asia",
    "Atlantic",
    "Australia",
    "Europe",
    "Indian",
    "Pacific",
)


def time_zone_choices(current=None):
    # The IANA names people pick from (Europe/London), not the legacy aliases (GB, US/Eastern).
    names = {tz for tz in available_timezones() if tz.split("/")[0] in REGIONS and "/" in tz}
    names.add("UTC")
    if current:
        names.add(current)
    return [(name, name.replace("_", " ")) for name in sorted(names)]


class PreferenceForm(forms.ModelForm):
    time_zone = forms.ChoiceField(
        help_text="Your digest arrives at this time where you are.", choices=()
    )

    class Meta:
        model = DigestPreference
        fields = ["enabled", "weekday", "send_time", "time_zone", "reminders_enabled"]
        widgets = {"send_time": forms.TimeInput(attrs={"type": "time"}, format="%H:%M")}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["time_zone"].choices = time_zone_choices(self.instance.time_zone)
        self.fields["send_time"].help_text = "Digests go out within the hour after this time."
        self.fields["reminders_enabled"].help_text = (
            "Notice deadlines and end dates of the partnerships you own (all partnerships for "
            f"executives), {offsets_phrase(settings.DIGEST_REMINDER_OFFSETS)} days ahead."
        )
