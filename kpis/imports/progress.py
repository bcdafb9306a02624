"""An import's progress, kept in the cache while a worker reads or writes it."""

from django.core.cache import cache


def progress_key(import_id):
    return f"kpis:import:{import_id}:progress"


def progress_setter(batch, low, high):
    def set_progress(pct):
        value = low + int((high - low) * pct / 100)
        cache.set(progress_key(batch.pk), value, 3600)

    return set_progress


def current_progress(batch):
    value = cache.get(progress_key(batch.pk))
    return batch.progress if value is None else max(value, batch.progress)
