from django.core.management.base import BaseCommand, CommandError

from kpis.alerts import pending_notification_ids, send_notification
from kpis.snapshots import recompute
from partnerships.models import Partnership


class Command(BaseCommand):
    help = (
        "Recompute KPI snapshots, alerts, checkpoints and health — the same work as the nightly "
        "task — for every partnership or one."
    )

    def add_arguments(self, parser):
        parser.add_argument("--partnership", type=int, help="Only this partnership's KPIs.")
        parser.add_argument(
            "--no-email", action="store_true", help="Record alert emails but do not send them now."
        )

    def handle(self, *args, partnership=None, no_email=False, **options):
        if partnership is not None:
            if not Partnership.objects.filter(pk=partnership).exists():
                raise CommandError(f"There is no partnership with id {partnership}.")
            ids = [partnership]
        else:
            ids = list(Partnership.objects.values_list("pk", flat=True))
        result = recompute(partnership_ids=ids)
        sent = 0
        if not no_email:
            sent = sum(1 for pk in pending_notification_ids() if send_notification(pk))
        self.stdout.write(
            self.style.SUCCESS(
                f"{result.kpis} KPIs, {result.snapshots} snapshots, {len(result.events)} alert "
                f"events, health for {len(result.partnerships | set(ids))} partnerships, "
                f"{sent} alert emails sent."
            )
        )
