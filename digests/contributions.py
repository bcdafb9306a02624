"""What the digest app adds: the digest sections read from the partnerships app alone, the
agreement dates, its menu entry and its demo data (see partnerships/plugins.py)."""

from partnerships.plugins import Contributions, DigestSection, Nav, Reminder, Seeder

from .builtin import conflicts, followed_table, stage_moves, upcoming
from .dates import agreement_dates
from .demo import seed_digests
from .needs import needs_you

CONTRIBUTIONS = Contributions(
    nav=[Nav("Digest", "digests:preferences", order=80)],
    seeders=[Seeder("digests", seed_digests, order=200)],
    digest_sections=[
        DigestSection("partnerships.needs_you", "Needs you", needs_you, order=8),
        DigestSection("partnerships.stage_moves", "Stage moves", stage_moves, order=50),
        DigestSection("partnerships.conflicts", "Conflicts", conflicts, order=60),
        DigestSection("partnerships.upcoming", "Coming up", upcoming, order=70),
        DigestSection(
            "partnerships.table", "Your partnerships", followed_table, order=900, news=False
        ),
    ],
    reminders=[Reminder("partnerships.agreements", agreement_dates)],
)
