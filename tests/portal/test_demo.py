import io

from django.core.management import call_command

from kpis.models import Measurement
from portal.models import PartnerUser, Submission


def test_seed_demo_creates_two_partner_users_with_submissions(db):
    out = io.StringIO()
    call_command("seed_demo", stdout=out)
    call_command("seed_demo", stdout=io.StringIO())  # idempotent
    assert PartnerUser.objects.count() == 2
    assert PartnerUser.objects.values("partner").distinct().count() == 2
    assert "hannah" in out.getvalue() and "erik" in out.getvalue()
    assert Submission.objects.filter(state="pending").count() == 2
    assert Submission.objects.filter(state="rejected").count() == 2
    assert Measurement.objects.filter(source="partner").exists()
