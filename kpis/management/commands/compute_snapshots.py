from django.core.management.base import BaseCommand, CommandError

from kpis.alerts import enqueue_unqueued
from kpis.snapshots import recompute
from outbox.services import deliver_all_due
from partnerships.models import Partnership


class Command(BaseCommand):
    help = (
        "Recompute KPI snapshots, alerts, checkpoints and health — the same work as the nightly "
        "task — for every partnership or one."
    )

    def add_arguments(self, parser):
        parser.add_argument("--partnership", type=int, help="Only this partnership's KPIs.")
        parser.add_argument(
            "--no-email",
            action="store_true",
            help="Write alert emails to the outbox but leave them to the workers.",
        )

    def handle(self, *args, partnership=None, no_email=False, **options):
        if partnership is not None:
            if not Partnership.objects.filter(pk=partnership).exists():
                raise CommandError(f"There is no partnership with id {partnership}.")
            ids = [partnership]
        else:
            ids = list(Partnership.objects.values_list("pk", flat=True))
        result = recompute(partnership_ids=ids)
        enqueue_unqueued()
        sent = 0
        if not no_email:
            # Everything due in the outbox, alert emails included, from this process now.
            sent = deliver_all_due()
        self.stdout.write(
            self.style.SUCCESS(
                f"{result.kpis} KPIs, {result.snapshots} snapshots, {len(result.events)} alert "
                f"events, health for {len(result.partnerships | set(ids))} partnerships, "
                f"{sent} emails sent."
            )
        )
