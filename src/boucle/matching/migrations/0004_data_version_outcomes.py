"""Verified outcomes move the data version too.

The facilitator's figures and the observatory document are kept per data version
(``boucle.web.snapshots``); recording a measured result wrote none of the tables of
``0003_data_version``, so a worker that had computed the figures before kept showing
« 0 t/an vérifiées » until some other write.
"""

from django.db import migrations

TABLE = "matching_verifiedoutcome"

PG_FORWARD = [
    f"CREATE CONSTRAINT TRIGGER boucle_data_version AFTER INSERT OR UPDATE OR DELETE ON {TABLE} "
    "DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION boucle_bump_data_version()",
    f"CREATE TRIGGER boucle_data_version_truncate AFTER TRUNCATE ON {TABLE} "
    "FOR EACH STATEMENT EXECUTE FUNCTION boucle_bump_data_version()",
]
PG_BACKWARD = [f"DROP TRIGGER IF EXISTS boucle_data_version ON {TABLE}",
               f"DROP TRIGGER IF EXISTS boucle_data_version_truncate ON {TABLE}"]
EVENTS = ("INSERT", "UPDATE", "DELETE")
SQLITE_FORWARD = [
    f"CREATE TRIGGER boucle_data_version_{TABLE}_{event.lower()} AFTER {event} ON {TABLE} "
    "BEGIN UPDATE boucle_data_version SET token = random() WHERE id = 1; END" for event in EVENTS
]
SQLITE_BACKWARD = [f"DROP TRIGGER IF EXISTS boucle_data_version_{TABLE}_{event.lower()}" for event in EVENTS]


def _run(statements_by_vendor):
    def run(apps, schema_editor):
        for sql in statements_by_vendor.get(schema_editor.connection.vendor, ()):
            schema_editor.execute(sql, params=None)
    return run


class Migration(migrations.Migration):

    dependencies = [("matching", "0003_data_version")]

    operations = [
        migrations.RunPython(_run({"postgresql": PG_FORWARD, "sqlite": SQLITE_FORWARD}),
                             _run({"postgresql": PG_BACKWARD, "sqlite": SQLITE_BACKWARD})),
    ]
