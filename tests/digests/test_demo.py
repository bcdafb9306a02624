import io

import pytest
from django.core.management import call_command

from digests.models import DeliveryStatus, Digest, DigestPreference, Follow
from digests.services import digest_fan_out

pytestmark = pytest.mark.django_db


def test_seed_demo_adds_digest_data_once(settings, time_machine):
    time_machine.move_to("2026-11-25 10:00:00+00:00", tick=False)
    settings.MAILERS = {"default": {"BACKEND": "django.core.mail.backends.locmem.EmailBackend"}}
    call_command("seed_demo", stdout=io.StringIO())
    counts = (DigestPreference.objects.count(), Follow.objects.count(), Digest.objects.count())
    call_command("seed_demo", stdout=io.StringIO())
    assert (
        (
            DigestPreference.objects.count(),
            Follow.objects.count(),
            Digest.objects.count(),
        )
        == counts
        == (5, 4, 1)
    )

    ceo = DigestPreference.objects.get(user__username="ceo")
    assert ceo.time_zone == "America/New_York"
    digest = Digest.objects.get()
    assert (digest.user.username, digest.week, digest.status) == ("coo", "2026-W47", "sent")
    assert digest.status == DeliveryStatus.SENT and "Hi Clara," in digest.html_body
    assert "Transformation advisory" in digest.text_body  # the ended one the COO follows
    assert "Smart logistics living lab" not in digest.text_body  # unfollowed
    # The viewer has been away for weeks: no weekly digest on an ordinary Monday.
    time_machine.move_to("2026-11-30 07:05:00+00:00", tick=False)
    digest_fan_out()
    assert not Digest.objects.filter(user__username="viewer").exists()
