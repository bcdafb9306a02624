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


def test_seed_demo_shows_the_partners_work(db):
    from governance.models import ActionItem
    from portal import healthchecks
    from portal.models import HealthCheck, LedgerEntry, QuestionnaireAnswer

    call_command("seed_demo", stdout=io.StringIO())
    call_command("seed_demo", stdout=io.StringIO())  # idempotent
    assert ActionItem.objects.filter(
        owner_contact__portal_user__isnull=False, portal_updates__status="done"
    ).exists()
    assert QuestionnaireAnswer.objects.count() >= 2
    assert HealthCheck.objects.filter(side="partner").values("quarter").distinct().count() == 4
    assert HealthCheck.objects.filter(side="ours").count() == 8
    partnership = HealthCheck.objects.first().partnership
    assert healthchecks.comparison(partnership)[0]["flagged"]
    assert LedgerEntry.objects.filter(state="confirmed").count() == 16
    assert LedgerEntry.objects.filter(state="pending").count() == 4
