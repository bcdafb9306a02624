"""Sessions read from the cache and written through to the database.

A page then reads its session without a query. While the cache is down the database alone
serves them, as Django's plain database sessions would.
"""

from django.contrib.sessions.backends import cached_db

from partnerships.cache import TolerantCache


class SessionStore(cached_db.SessionStore):
    def __init__(self, session_key=None):
        super().__init__(session_key)
        self._cache = TolerantCache(self._cache)
