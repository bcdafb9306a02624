"""Demo data for digests: preferences (one recipient in New York), a few follows and unfollows,
and last week's digest for the COO already sent, so "view in browser" has something to show."""

from datetime import time, timedelta

from django.db import transaction
from django.utils import timezone

from .building import build_digest, render_digest
from .models import DeliveryStatus, Digest, DigestPreference, Follow
from .services import digest_record, schedule_in_week

PREFERENCES = {
    # username: (weekday, time, zone, days since last seen)
    "coo": (0, time(7, 0), "Europe/London", 0),
    "ceo": (0, time(7, 0), "America/New_York", 2),
    "manager": (0, time(8, 30), "Europe/Rome", 1),
    "priya": (4, time(16, 0), "Asia/Kolkata", 0),
    "viewer": (0, time(7, 0), "Europe/London", 45),  # away: gets the digest monthly
}

FOLLOWS = [
    # username, partnership title, following
    ("coo", "Smart logistics living lab", False),
    ("coo", "Transformation advisory", True),
    ("manager", "Quantum optimisation pilot", False),
    ("viewer", "Cloud co-sell alliance", False),
]


@transaction.atomic
def seed_digests(ctx):
    users, partnerships = ctx["users"], ctx["partnerships"]
    today = timezone.localdate()
    for username, (weekday, at, zone, away) in PREFERENCES.items():
        DigestPreference.objects.get_or_create(
            user=users[username],
            defaults={
                "weekday": weekday,
                "send_time": at,
                "time_zone": zone,
                "last_seen_on": today - timedelta(days=away),
            },
        )
    for username, title, following in FOLLOWS:
        partnership = partnerships.get(title)
        if partnership is None:
            continue
        Follow.objects.get_or_create(
            user=users[username], partnership=partnership, defaults={"following": following}
        )
    _seed_sent_digest(users["coo"], today)


def _seed_sent_digest(user, today):
    monday = today - timedelta(days=today.weekday())
    schedule = schedule_in_week(user, monday - timedelta(weeks=1), force_weekly=True)
    digest, created = digest_record(user=user, schedule=schedule)
    if not created and digest.status == DeliveryStatus.SENT:
        return
    content = build_digest(user, schedule)
    email = render_digest(content, digest=digest)
    sent_at = schedule.scheduled_at + timedelta(minutes=5)
    Digest.objects.filter(pk=digest.pk).update(
        status=DeliveryStatus.SENT,
        attempts=1,
        claimed_at=sent_at,
        sent_at=sent_at,
        subject=email.subject[:255],
        text_body=email.text,
        html_body=email.html,
        partnership_count=content.partnership_count,
    )
