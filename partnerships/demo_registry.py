"""Demo-data seeders contributed by other apps, run by ``manage.py seed_demo`` in order.

A seeder is ``fn(ctx)`` where ``ctx`` is a dict holding the users, partners, partnerships and
goals the base seed created (keyed by name). Seeders must be idempotent.
"""

_seeders = {}


def register_seeder(key, fn, *, order=100):
    _seeders[key] = (order, fn)


def seeders():
    return [fn for _, fn in sorted(_seeders.values(), key=lambda item: item[0])]
