"""What a user sees when background work is interrupted: an import restarted by the reaper and
cancelled, a value saved while the workers cannot be reached. Screenshots under
artifacts/screenshots/."""

from django.core.files.base import ContentFile
from playwright.sync_api import expect

from kpis import recomputes
from kpis.models import Measurement, MeasurementImport, RecomputeMark
from tests.factories import make_partner, make_partnership, make_user
from tests.kpis.conftest import make_kpi

PASSWORD = "pw-for-tests-1"


def test_a_restarted_import_shows_why_and_can_be_cancelled(
    transactional_db, login, live_server, shoot
):
    manager = make_user("manager", "Partner manager")
    batch = MeasurementImport.objects.create(
        uploaded_by=manager,
        original_name="q3-leads.csv",
        state=MeasurementImport.State.IMPORTING,
        in_background=True,
        progress=0,
        attempts=1,
        runs=1,
        message="The worker stopped while importing at 60%, so it was started again at 10:31 "
        "(attempt 2 of 3). Nothing was written by the run that stopped.",
    )
    batch.file.save("q3-leads.csv", ContentFile(b"kpi_id,period,value,note\n"))
    page = login("manager", PASSWORD)
    page.goto(f"{live_server.url}{batch.get_absolute_url()}")
    expect(page.locator("#import-status")).to_contain_text("started again at 10:31")
    shoot("jobs-import-restarted")

    page.get_by_role("button", name="Cancel this import").click()
    expect(page.locator(".flash")).to_contain_text("The worker stops at its next step")
    expect(page.locator("#import-status")).to_contain_text("Cancelled at")
    shoot("jobs-import-cancelled")
    batch.refresh_from_db()
    assert batch.state == MeasurementImport.State.CANCELLED


def test_a_value_saved_while_the_workers_are_unreachable(
    transactional_db, login, live_server, shoot, monkeypatch
):
    # The broker itself is stopped for real in tests/chaos/test_jobs_redis_down.py.
    monkeypatch.setattr(recomputes, "queue_briefly", lambda name, *args: False)
    manager = make_user("manager", "Partner manager")
    kpi = make_kpi(make_partnership(partner=make_partner(), owner=manager), name="Qualified leads")
    page = login("manager", PASSWORD)
    page.goto(f"{live_server.url}/kpis/{kpi.pk}/record/")
    page.fill("#id_period", "2024-01-01")
    page.fill("#id_value", "70")
    page.get_by_role("button", name="Save").click()
    expect(page.locator(".flash-stack")).to_contain_text("Value recorded.")
    expect(page.locator(".flash-stack")).to_contain_text("dashboard will catch up")
    shoot("jobs-saved-workers-unreachable")
    assert Measurement.objects.filter(kpi=kpi).exists() and RecomputeMark.objects.exists()
