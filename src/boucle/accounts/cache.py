"""The database cache with an atomic ``incr``, so counters shared by workers (the login limiter)
never lose an increment.

Django's ``DatabaseCache.incr`` reads then writes: two workers counting the same failure at once
both read 3 and both write 4. Here the row is locked first (an ``UPDATE`` of its own expiry,
which PostgreSQL row-locks and SQLite serialises with its write lock), then read and written in
the same transaction.
"""

from django.core.cache.backends.db import DatabaseCache as DjangoDatabaseCache
from django.db import connections, router, transaction


class DatabaseCache(DjangoDatabaseCache):
    def incr(self, key, delta=1, version=None):
        db = router.db_for_write(self.cache_model_class)
        connection = connections[db]
        table = connection.ops.quote_name(self._table)
        stored_key = self.make_and_validate_key(key, version=version)
        with transaction.atomic(using=db):
            with connection.cursor() as cursor:
                cursor.execute(f"UPDATE {table} SET expires = expires WHERE cache_key = %s", [stored_key])
            return super().incr(key, delta, version)
