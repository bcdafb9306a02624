"""One recipient, one week: the preview page, the dry run and the send give the same digest,
and each says which days it covers and why."""

import io
from datetime import UTC, date, datetime, time

import pytest
from django.core.management import call_command
from django.urls import reverse

from digests.models import DeliveryStatus, Digest
from tests.digests.helpers import conflict, prefer
from tests.factories import make_partnership

pytestmark = pytest.mark.django_db

# Saturday 5 Dec 2026, as when the COO's preview said 30 Nov–6 Dec and the dry run 23–29 Nov.
SATURDAY = datetime(2026, 12, 5, 10, 0, tzinfo=UTC)


def run(*args):
    out = io.StringIO()
    call_command("send_weekly_digests", *args, stdout=out, stderr=out)
    return out.getvalue()


@pytest.fixture
def recipient(coo, manager, time_machine):
    time_machine.move_to(SATURDAY, tick=False)
    prefer(manager, weekday=4, send_time=time(8), time_zone="Europe/Stockholm")
    for title in ("Swedish channel programme", "Nordic fulfilment network"):
        p = make_partnership(title=title, owner=manager)
        p.team.add(manager)
        conflict(p, date(2026, 12, 2))
    return manager


def _preview(client, user, **params):
    client.force_login(user)
    response = client.get(reverse("digests:preview"), params)
    assert response.status_code == 200
    return response


@pytest.mark.parametrize("week", [None, "2026-W50"])
def test_preview_dry_run_and_send_are_the_same_digest(client, smtp, recipient, week):
    args = ["--user", recipient.email] + (["--week", week] if week else [])
    preview = _preview(client, recipient, **({"week": week} if week else {}))
    html = preview.content.decode()
    # Friday 11 Dec 08:00 in Stockholm is the next send: it covers Fri 4 – Thu 10 Dec.
    why = "Sent Fridays at 08:00 (Europe/Stockholm), covering the 7 days before the send day."
    assert "4–10 Dec 2026 (week 49)" in html and why in html
    subject = preview.context["subject"]
    sections = [s.title for s in preview.context["news"]]
    assert sections == ["Conflicts"]
    assert subject == "Concord digest, 4–10 Dec 2026: 1 update across 2 partnerships"

    dry = run("--dry-run", *args)
    assert f"{recipient.email}, 2026-W50: covers 4–10 Dec 2026. {why}" in dry
    assert f"would send to {recipient.email}: “{subject}” [Conflicts]" in dry
    assert not Digest.objects.exists()

    sent = run(*args)
    assert f"{recipient.email}, 2026-W50: covers 4–10 Dec 2026. {why}" in sent
    digest = Digest.objects.get()
    assert (digest.week, digest.period_start, digest.period_end, digest.status) == (
        "2026-W50",
        date(2026, 12, 4),
        date(2026, 12, 11),
        DeliveryStatus.SENT,
    )
    [mail] = smtp.received
    assert mail.subject == digest.subject == subject
    for part in (mail.text, mail.html):
        assert "4–10 Dec 2026 (week 49)" in part and why in part
        assert "2 open conflicts about lead ownership" in part


def test_another_recipient_in_another_zone_gets_their_own_window(client, coo, recipient):
    prefer(coo, weekday=0, send_time=time(7), time_zone="America/New_York")
    html = _preview(client, coo).content.decode()
    assert "30 Nov – 6 Dec 2026 (week 49)" in html
    assert "Sent Mondays at 07:00 (America/New_York)" in html
    dry = run("--dry-run", "--user", coo.email)
    assert "2026-W50: covers 30 Nov – 6 Dec 2026. Sent Mondays at 07:00 (America/New_York)" in dry


def test_an_away_recipient_is_told_the_digest_is_monthly(recipient):
    prefer(recipient, last_seen_on=date(2026, 9, 1))
    type(recipient).objects.filter(pk=recipient.pk).update(last_login=None)
    dry = run("--dry-run", "--user", recipient.email)
    # The first Friday of January; it covers the time since the first Friday of December.
    assert (
        "2026-W53: covers 4–31 Dec 2026. Monthly while you are away (not seen in "
        "Concord for over 30 days): sent in the first week of each month, Fridays at 08:00 "
        "(Europe/Stockholm), covering the time since the previous one."
    ) in dry
    assert "Concord digest, 4–31 Dec 2026" in dry


def test_a_bad_week_in_the_preview_is_a_clear_error(client, recipient):
    client.force_login(recipient)
    response = client.get(reverse("digests:preview"), {"week": "2026-53"})
    assert response.status_code == 400
    assert "is not an ISO week; write it like 2026-W47." in response.content.decode()
