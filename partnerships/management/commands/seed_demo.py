from django.core.management.base import BaseCommand

from partnerships.demo import DEMO_PASSWORD, USERS, seed_base
from partnerships.demo_registry import seeders


class Command(BaseCommand):
    help = "Fill the database with the demo company. Safe to run again: nothing is duplicated."

    def handle(self, *args, **options):
        ctx = seed_base()
        for seeder in seeders():
            seeder(ctx)
        self.stdout.write(self.style.SUCCESS("Demo data ready."))
        self.stdout.write(
            "Log in at http://127.0.0.1:8000 with any of these (password in brackets):"
        )
        for username, first, last, role, _ in USERS:
            name = f"{first} {last}"
            self.stdout.write(f"  {username:<8} {name:<14} {role:<16} [{DEMO_PASSWORD}]")
        # Logins other apps' seeders created (e.g. the partner portal's users).
        for username, name, role in ctx.get("logins", []):
            self.stdout.write(f"  {username:<8} {name:<14} {role:<16} [{DEMO_PASSWORD}]")
