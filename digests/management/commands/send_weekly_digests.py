from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

from digests.building import build_digest, render_digest
from digests.models import DeliveryStatus, Digest
from digests.schedule import iso_week_key, parse_iso_week
from digests.selectors import digest_candidates, preference_for
from digests.services import digest_queue, digest_record
from digests.windows import digest_schedule, window_line
from outbox.services import deliver_all_due


class Command(BaseCommand):
    help = (
        "Send the weekly digests of an ISO week now, by hand: the same records and rules as the "
        "hourly job (one digest per recipient and week, never twice, written to the outbox and "
        "delivered from it), without waiting for each recipient's local send time."
    )

    def add_arguments(self, parser):
        parser.add_argument("--week", help="ISO week such as 2026-W47 (default: this week).")
        parser.add_argument("--user", metavar="EMAIL", help="Only this recipient.")
        parser.add_argument(
            "--dry-run", action="store_true", help="Print what would be sent; record nothing."
        )

    def handle(self, *args, week=None, user=None, dry_run=False, **options):
        if week:
            try:
                monday = parse_iso_week(week)
            except ValueError as error:
                raise CommandError(str(error)) from None
        else:
            # Each recipient's next digest, in their own time zone: the one the preview shows.
            monday = None
        users = digest_candidates()
        if user:
            users = users.filter(email__iexact=user)
            if not users.exists():
                known = get_user_model().objects.filter(email__iexact=user).exists()
                raise CommandError(
                    f"{user} is inactive or has no email address."
                    if known
                    else f"No user has the email address {user}."
                )
        counts = {"sent": 0, "would send": 0, "skipped": 0, "failed": 0}
        which = iso_week_key(monday) if monday else "each recipient's next week"
        self.stdout.write(f"Digests for {which}{' (dry run)' if dry_run else ''}:")
        queued = []
        for recipient in users:
            outcome = self._one(recipient, monday, dry_run=dry_run)
            if isinstance(outcome, Digest):
                queued.append(outcome)
            else:
                counts[outcome] += 1
        if queued:
            # Delivered from here, now: the outbox's lease keeps a running worker from sending
            # any of them a second time.
            deliver_all_due()
        for digest in queued:
            counts[self._report(digest)] += 1
        summary = ", ".join(f"{n} {what}" for what, n in counts.items() if n)
        self.stdout.write(self.style.SUCCESS(f"Done: {summary or 'nobody to send to'}."))

    def _one(self, user, monday, *, dry_run):
        email = user.email
        if not preference_for(user).enabled:
            self.stdout.write(f"  skip {email}: digest turned off")
            return "skipped"
        # The same rule as the preview and the hourly send: an away recipient's week outside
        # the first of a month has no digest, whoever asks for it.
        schedule = digest_schedule(user, monday=monday)
        if schedule is None:
            self.stdout.write(f"  skip {email}: away, gets the monthly digest in the first week")
            return "skipped"
        self.stdout.write(f"  {email}, {schedule.week}: covers {window_line(schedule)}")
        if dry_run:
            content = build_digest(user, schedule)
            if not content.partnership_count:
                self.stdout.write(f"  skip {email}: follows no partnerships")
                return "skipped"
            rendered = render_digest(content)
            sections = ", ".join(s.title for s in content.news) or "nothing new"
            self.stdout.write(f"  would send to {email}: “{rendered.subject}” [{sections}]")
            return "would send"
        with transaction.atomic():
            digest, _ = digest_record(user=user, schedule=schedule)
        if digest.status != DeliveryStatus.PENDING:
            self.stdout.write(f"  skip {email}: already {digest.get_status_display().lower()}")
            return "skipped"
        if digest_queue(digest.pk) == DeliveryStatus.PENDING:
            return digest
        digest.refresh_from_db()
        self.stdout.write(f"  skip {email}: {digest.last_error or digest.status}")
        return "skipped"

    def _report(self, digest):
        digest.refresh_from_db()
        if digest.status == DeliveryStatus.SENT:
            self.stdout.write(f"  sent to {digest.to_email}")
            return "sent"
        what = "failed for good" if digest.status == DeliveryStatus.FAILED else "left pending"
        self.stderr.write(
            f"  FAILED {digest.to_email}: {digest.last_error} ({what}; the outbox retries "
            "pending emails by itself, failed ones from its admin page)"
        )
        return "failed"
