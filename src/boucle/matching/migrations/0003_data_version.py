"""A data-version token that changes whenever companies, sites, flows, synergies, communes or EPCIs change.

Read-heavy endpoints (the facilitator map, the ranked synergy list) keep what they
computed for a given token and recompute when it moves (``boucle.web.snapshots``).
Triggers, rather than Django signals, bump it, so that every write path counts:
bulk inserts through ``executemany``, ``QuerySet.update``, imports, raw SQL.

PostgreSQL: one deferred trigger per row, which does real work once per transaction
(a transaction-local flag), at commit, after every other lock the transaction took,
so the single version row can never be part of a deadlock. The token comes from a
sequence, so a rolled-back transaction never hands out a value a later one reuses.
SQLite (one writer at a time anyway): plain row triggers set a fresh random token.
"""

from django.db import migrations

TABLES = ["flows_company", "flows_site", "flows_flow", "matching_synergy", "territories_commune", "territories_epci"]

PG_FORWARD = [
    "CREATE TABLE boucle_data_version (id smallint PRIMARY KEY CHECK (id = 1), token bigint NOT NULL)",
    "INSERT INTO boucle_data_version VALUES (1, 0)",
    "CREATE SEQUENCE boucle_data_version_seq",
    """CREATE FUNCTION boucle_bump_data_version() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF current_setting('boucle.data_version_bumped', true) IS DISTINCT FROM 'yes' THEN
    PERFORM set_config('boucle.data_version_bumped', 'yes', true);
    UPDATE boucle_data_version SET token = nextval('boucle_data_version_seq') WHERE id = 1;
  END IF;
  RETURN NULL;
END $$""",
] + [
    sql for table in TABLES for sql in (
        f"CREATE CONSTRAINT TRIGGER boucle_data_version AFTER INSERT OR UPDATE OR DELETE ON {table} "
        "DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION boucle_bump_data_version()",
        f"CREATE TRIGGER boucle_data_version_truncate AFTER TRUNCATE ON {table} "
        "FOR EACH STATEMENT EXECUTE FUNCTION boucle_bump_data_version()",
    )
]
PG_BACKWARD = [
    sql for table in TABLES for sql in (f"DROP TRIGGER IF EXISTS boucle_data_version ON {table}",
                                        f"DROP TRIGGER IF EXISTS boucle_data_version_truncate ON {table}")
] + ["DROP FUNCTION IF EXISTS boucle_bump_data_version()", "DROP SEQUENCE IF EXISTS boucle_data_version_seq",
     "DROP TABLE IF EXISTS boucle_data_version"]

SQLITE_FORWARD = [
    "CREATE TABLE boucle_data_version (id integer PRIMARY KEY CHECK (id = 1), token integer NOT NULL)",
    "INSERT INTO boucle_data_version VALUES (1, 0)",
] + [
    f"CREATE TRIGGER boucle_data_version_{table}_{event.lower()} AFTER {event} ON {table} "
    "BEGIN UPDATE boucle_data_version SET token = random() WHERE id = 1; END"
    for table in TABLES for event in ("INSERT", "UPDATE", "DELETE")
]
SQLITE_BACKWARD = [
    f"DROP TRIGGER IF EXISTS boucle_data_version_{table}_{event.lower()}"
    for table in TABLES for event in ("INSERT", "UPDATE", "DELETE")
] + ["DROP TABLE IF EXISTS boucle_data_version"]


def _run(statements_by_vendor):
    def run(apps, schema_editor):
        statements = statements_by_vendor.get(schema_editor.connection.vendor)
        if statements is None:
            return  # another database: no token, the endpoints simply never cache
        for sql in statements:
            schema_editor.execute(sql, params=None)
    return run


class Migration(migrations.Migration):

    dependencies = [
        ("flows", "0001_initial"),
        ("territories", "0001_initial"),
        ("matching", "0002_synergy_rank_index"),
    ]

    operations = [
        migrations.RunPython(_run({"postgresql": PG_FORWARD, "sqlite": SQLITE_FORWARD}),
                             _run({"postgresql": PG_BACKWARD, "sqlite": SQLITE_BACKWARD})),
    ]
