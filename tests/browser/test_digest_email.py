"""The digest email rendered in Chromium at desktop and phone width, and the digest pages."""

import io
import re
from datetime import UTC, date, datetime, time, timedelta

import pytest
import time_machine
from django.core import mail
from django.core.management import call_command
from playwright.sync_api import expect

from digests.building import build_digest, render_digest
from digests.schedule import schedule_for_week
from digests.sections import Cell, Item, SectionData
from digests.services import reminders_run
from partnerships.models import Partnership, Stage
from partnerships.plugins import Contributions, DigestColumns, DigestSection, added
from tests.browser.conftest import PHONE, SCREENSHOTS
from tests.digests.helpers import agreement, aware, conflict, stage_move
from tests.factories import make_partner, make_partnership, make_user

DESKTOP_WIDTH = 1200
MONDAY = date(2026, 11, 23)


def _kpi_like_section(partnerships):
    """What the kpis app will plug in: a section with badges and small trend bars."""
    first, second = partnerships[0], partnerships[1]

    def kpi_changes(user, partnership_ids, week_start, week_end):
        return SectionData(
            title="KPIs that changed status",
            items=[
                Item(
                    text=f"{first.title}: Joint pipeline value",
                    link=f"/partnerships/{first.pk}/",
                    severity="red",
                    badge="Off track",
                    meta="1.2M against a 2.0M target · was at risk",
                    trend=[1.9, 1.8, 1.6, 1.5, 1.3, 1.2],
                    trend_label="last 6 weeks",
                ),
                Item(
                    text=f"{second.title}: On-time delivery rate",
                    link=f"/partnerships/{second.pk}/",
                    severity="green",
                    badge="On track",
                    meta="96% against a 95% target · was at risk",
                    trend=[88, 90, 91, 93, 95, 96],
                    trend_label="last 6 weeks",
                ),
            ],
        )

    def health(partnership_ids, week_start):
        scores = [(72, +4), (58, -14), (81, 0), (64, +2), (45, -6)]
        out = {}
        for pid, (score, change) in zip(partnership_ids, scores * 10, strict=False):
            severity = "green" if score >= 70 else "amber" if score >= 55 else "red"
            out[pid] = {
                "Health": Cell(str(score), severity=severity),
                "Week": Cell(f"{change:+d}" if change else "±0", trend=[score - change, score]),
            }
        return out

    return kpi_changes, health


@pytest.fixture
def rich_digest(transactional_db, settings):
    settings.SITE_URL = "https://concord.example.com"
    with time_machine.travel(datetime(2026, 11, 23, 7, 5, tzinfo=UTC), tick=False):
        coo = make_user("coo", "Executive", first_name="Clara", last_name="Okafor")
        marco = make_user("marco", "Partner manager", first_name="Marco", last_name="Rossi")
        specs = [
            ("Joint AI insights offering", "Northwind Analytics", Stage.NEGOTIATION, Stage.ACTIVE),
            ("Nordic fulfilment network", "Fjord Logistics", Stage.ACTIVE, None),
            ("Cloud co-sell alliance", "Cobalt Cloud", Stage.ACTIVE, Stage.RENEWAL),
            ("Second-source precision parts", "Atlas Manufacturing", Stage.ACTIVE, None),
            ("Swedish channel programme", "Brightpath Resellers", Stage.ACTIVE, Stage.UNDER_REVIEW),
        ]
        partnerships = []
        for i, (title, partner, stage, to_stage) in enumerate(specs):
            p = make_partnership(
                partner=make_partner(partner), title=title, stage=stage, owner=marco
            )
            if to_stage:
                stage_move(p, to_stage, aware(date(2026, 11, 17 + i)), by=coo)
            partnerships.append(p)
        conflict(partnerships[2], date(2026, 11, 19), subject="Dispute over lead ownership")
        conflict(partnerships[4], date(2026, 9, 30), subject="Disagreement on discount levels")
        agreement(partnerships[2], MONDAY + timedelta(days=98), notice_days=90)
        agreement(partnerships[1], MONDAY + timedelta(days=26), notice_days=120)
        kpi_changes, health = _kpi_like_section(partnerships)
        kpi_like = Contributions(
            digest_sections=[
                DigestSection("tests.kpis", "KPIs that changed status", kpi_changes, order=20)
            ],
            digest_columns=[DigestColumns("tests.health", health)],
        )
        with added(kpi_like):
            email = render_digest(build_digest(coo, _schedule()))
    return email


def _schedule():
    return schedule_for_week(
        MONDAY,
        weekday=0,
        send_time=time(7),
        tz="Europe/London",
        last_active=MONDAY,
        inactive_days=30,
    )


def _no_horizontal_scroll(page):
    return page.evaluate("document.documentElement.scrollWidth <= window.innerWidth + 1")


def test_digest_email_at_desktop_and_phone_width(rich_digest, page, shoot):
    email = rich_digest
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    (SCREENSHOTS / "digest-email.html").write_text(email.html)  # to open in a mail client
    page.set_viewport_size({"width": DESKTOP_WIDTH, "height": 900})
    page.set_content(email.html)
    expect(page.get_by_text("Hi Clara,")).to_be_visible()
    expect(page.locator("h2")).to_have_text(
        [
            "KPIs that changed status",
            "Stage moves",
            "Conflicts",
            re.compile("Coming up"),
            "Your partnerships",
        ]
    )
    expect(page.locator("th")).to_have_text(["Partnership", "Stage", "Health", "Week"])
    assert _no_horizontal_scroll(page)
    shoot("digest-email-desktop", width=DESKTOP_WIDTH)

    page.set_viewport_size({"width": PHONE["width"], "height": PHONE["height"]})
    page.set_content(email.html)
    assert _no_horizontal_scroll(page), "the email must fit a phone without sideways scrolling"
    shoot("digest-email-phone", width=PHONE["width"])


@pytest.fixture
def large_following_digest(transactional_db, settings):
    """An executive following 40 partnerships in a week where few of them had news, one with
    more conflicts than a section lists."""
    settings.SITE_URL = "https://concord.example.com"
    with time_machine.travel(datetime(2026, 11, 23, 7, 5, tzinfo=UTC), tick=False):
        coo = make_user("coo", "Executive", first_name="Clara", last_name="Okafor")
        marco = make_user("marco", "Partner manager", first_name="Marco", last_name="Rossi")
        partnerships = [
            make_partnership(
                partner=make_partner(f"Partner {i:02d}"),
                title=f"Regional reseller programme {i:02d}",
                stage=Stage.ACTIVE,
                owner=marco,
            )
            for i in range(40)
        ]
        stage_move(partnerships[3], Stage.RENEWAL, aware(date(2026, 11, 18)), by=coo)
        for day in range(53):
            conflict(
                partnerships[7 + day % 2],
                date(2026, 9, 1) + timedelta(days=day),
                subject=f"Disputed lead #{100 + day}",
            )
        agreement(partnerships[12], MONDAY + timedelta(days=98), notice_days=90)
        kpi_changes, health = _kpi_like_section(partnerships)
        with added(Contributions(digest_columns=[DigestColumns("tests.health", health)])):
            email = render_digest(build_digest(coo, _schedule()))
    return email


def test_large_following_email_lists_the_news_and_says_what_it_leaves_out(
    large_following_digest, page, shoot
):
    email = large_following_digest
    page.set_viewport_size({"width": DESKTOP_WIDTH, "height": 900})
    page.set_content(email.html)
    expect(page.get_by_text("And 3 more conflicts, not listed here.")).to_be_visible()
    expect(
        page.get_by_text("36 partnerships you follow had nothing new this week and are not listed.")
    ).to_be_visible()
    rows = page.locator("th").first.locator("xpath=ancestor::table[1]/tbody/tr")
    expect(rows).to_have_count(1 + 4)  # the header and the four partnerships with news
    assert _no_horizontal_scroll(page)
    shoot("digest-email-large-following-desktop", width=DESKTOP_WIDTH)

    page.set_viewport_size({"width": PHONE["width"], "height": PHONE["height"]})
    page.set_content(email.html)
    assert _no_horizontal_scroll(page)
    shoot("digest-email-large-following-phone", width=PHONE["width"])


def test_empty_week_email(transactional_db, page, shoot, settings):
    settings.SITE_URL = "https://concord.example.com"
    with time_machine.travel(datetime(2026, 11, 23, 7, 5, tzinfo=UTC), tick=False):
        user = make_user("vik", "Viewer", first_name="Vik")
        p = make_partnership(title="Joint AI insights offering", stage=Stage.ACTIVE, owner=user)
        p.team.add(user)
        email = render_digest(build_digest(user, _schedule()))
    page.set_viewport_size({"width": PHONE["width"], "height": PHONE["height"]})
    page.set_content(email.html)
    expect(page.locator("text=Nothing to report this week")).to_be_visible()
    shoot("digest-email-empty-phone", width=PHONE["width"])


def test_reminder_email(transactional_db, page, shoot, settings):
    settings.SITE_URL = "https://concord.example.com"
    settings.MAILERS = {"default": {"BACKEND": "django.core.mail.backends.locmem.EmailBackend"}}
    with time_machine.travel(datetime(2026, 11, 23, 6, 30, tzinfo=UTC), tick=False):
        owner = make_user("marco", "Partner manager", first_name="Marco", last_name="Rossi")
        p = make_partnership(
            partner=make_partner("Cobalt Cloud"), title="Cloud co-sell alliance", owner=owner
        )
        agreement(p, MONDAY + timedelta(days=97), notice_days=90)
        reminders_run()  # commits, so the (eager) send task runs straight away
    [message] = mail.outbox
    page.set_viewport_size({"width": PHONE["width"], "height": PHONE["height"]})
    page.set_content(message.alternatives[0].content)
    expect(page.locator("h1")).to_contain_text("Last day to give notice")
    assert _no_horizontal_scroll(page)
    shoot("reminder-email-phone", width=PHONE["width"])


@pytest.fixture
def demo(transactional_db, settings):
    settings.MAILERS = {"default": {"BACKEND": "django.core.mail.backends.locmem.EmailBackend"}}
    call_command("seed_demo", stdout=io.StringIO())


def test_preferences_follow_toggle_and_preview(demo, login, live_server, shoot):
    page = login("manager")
    page.click("nav >> text=Digest")
    expect(page.locator("h1")).to_have_text("Your digest")
    count = page.locator("#follow-count")
    before = int(count.inner_text())
    row = page.locator("#follows-results tbody tr", has_text="Joint AI insights offering")
    row.locator("button", has_text="Unfollow").click()
    expect(row.locator(".badge", has_text="Not following")).to_be_visible()
    expect(count).to_have_text(str(before - 1))
    row.locator("button", has_text="Follow").click()
    expect(count).to_have_text(str(before))
    expect(row.locator("text=Reset")).to_be_visible()
    shoot("digest-preferences-desktop")
    shoot("digest-preferences-phone", width=PHONE["width"])

    page.select_option("#id_weekday", "4")
    page.fill("#id_send_time", "16:30")
    page.select_option("#id_time_zone", "America/New_York")
    page.click("text=Save preferences")
    expect(page.locator(".flash-success")).to_have_text("Digest preferences saved.")
    expect(page.locator(".subtitle")).to_contain_text("Every Friday at 16:30 (America/New_York)")

    page.click("text=Preview next digest")
    expect(page.locator("h1")).to_have_text("Preview of your next digest")
    expect(page.locator("text=Your partnerships")).to_be_visible()
    shoot("digest-preview-desktop")


def test_view_in_browser(demo, login, live_server, shoot):
    page = login("coo")
    page.click("nav >> text=Digest")
    page.click("#recent a")
    expect(page.get_by_text("Hi Clara,")).to_be_visible()
    assert Partnership.objects.exists()
    shoot("digest-view-in-browser")
