"""Sessions read from the cache and written through to the database.

A page then reads its session without a query. While the cache is down the database alone
serves them, as Django's plain database sessions would. A write the cache missed (a sign-out
during a blip) could leave an older copy there, so a copy lives five minutes at most: then the
database is read again.
"""

from django.contrib.sessions.backends import cached_db

from partnerships.cache import TolerantCache

CACHED_FOR = 300  # seconds


class SessionStore(cached_db.SessionStore):
    def __init__(self, session_key=None):
        super().__init__(session_key)
        self._cache = TolerantCache(self._cache, max_timeout=CACHED_FOR)
