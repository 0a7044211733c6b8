"""Memberships move the data version too.

A SIRENE directory entry is named to everyone while its company takes no part in Boucle, and anonymous once it
does (``accounts.access.public_register_entry``): a company's first account changes what the kept synergy cards
and map lines say of its entries (``boucle.web.snapshots``), so writing a membership gives a fresh token.
"""

from django.db import migrations

TABLE = "accounts_membership"

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

    dependencies = [("matching", "0005_interest_answers"), ("accounts", "0002_api_token_scope_expiry_invitations_cache")]

    operations = [
        migrations.RunPython(_run({"postgresql": PG_FORWARD, "sqlite": SQLITE_FORWARD}),
                             _run({"postgresql": PG_BACKWARD, "sqlite": SQLITE_BACKWARD})),
    ]
