from django.conf import settings
from django.core.management.base import BaseCommand

from outbox import services


class Command(BaseCommand):
    help = (
        "Deliver the outbox: batch after batch until nothing is due (or one batch with --once). "
        "Safe beside running workers: each batch is claimed with a lease."
    )

    def add_arguments(self, parser):
        parser.add_argument("--once", action="store_true", help="Deliver one batch, then stop.")
        parser.add_argument(
            "--limit", type=int, default=None, help="Messages per batch (OUTBOX_BATCH)."
        )

    def handle(self, *args, once=False, limit=None, **options):
        limit = limit or settings.OUTBOX_BATCH
        deliver = services.deliver_due if once else services.deliver_all_due
        sent = deliver(limit=limit)
        self.stdout.write(f"{sent} sent")
