"""Demo-data seeders contributed by the apps (``plugins.Seeder``), run by ``manage.py
seed_demo`` in order, after the base seed."""

from .plugins import contributed


def seeders():
    return [s.fn for s in sorted(contributed("seeders"), key=lambda s: s.order)]
