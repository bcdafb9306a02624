"""The cache as something that only saves time: while it is down, reads miss and writes are
dropped, so pages and sessions work as they would without it."""

import logging

log = logging.getLogger(__name__)


class TolerantCache:
    """The few cache calls the app makes, each giving up quietly (and logging) on an error."""

    def __init__(self, cache, *, max_timeout=None):
        self._cache = cache
        self._max_timeout = max_timeout

    def _call(self, name, *args, default=None, **kwargs):
        try:
            return getattr(self._cache, name)(*args, **kwargs)
        except Exception:
            log.warning("Cache unavailable for %s", name, exc_info=True)
            return default

    def get(self, key, default=None, **kwargs):
        return self._call("get", key, default, default=default, **kwargs)

    def set(self, key, value, timeout=None, **kwargs):
        if self._max_timeout is not None:
            timeout = self._max_timeout if timeout is None else min(timeout, self._max_timeout)
        return self._call("set", key, value, timeout, **kwargs)

    def add(self, *args, **kwargs):
        return self._call("add", *args, default=False, **kwargs)

    def delete(self, *args, **kwargs):
        return self._call("delete", *args, default=False, **kwargs)

    def __contains__(self, key):
        return self._call("has_key", key, default=False)
