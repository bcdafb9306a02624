#!/usr/bin/env python
import os
import sys


def main():
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    from django.core.management import execute_from_command_line

    from config import startup

    with startup.reported():
        command = sys.argv[1] if len(sys.argv) > 1 else ""
        if command in startup.SERVICE_COMMANDS and not startup.check_services(
            database_required=True
        ):
            sys.exit(1)
        execute_from_command_line(sys.argv)


if __name__ == "__main__":
    main()
