"""PostgreSQL only: pg_trgm, triggers that keep ``search_vector`` current, GIN indexes.

A trigger rather than a save() hook: importers write with bulk_create / bulk_update, the
benchmark with COPY, curators through the admin; a BEFORE INSERT OR UPDATE trigger is right
for every one of those paths, and recomputes only when a searched column changes.

Everything is indexed with the 'english' configuration, as the search query is parsed
(stems: "transformers" finds "transformer"), except Chinese text, indexed with 'simple'. Neither
can segment Chinese, so the search code also matches Chinese queries with ILIKE, helped by the
trigram indexes on the Chinese fields.
On SQLite every operation here does nothing; the search falls back to icontains.
"""

from django.contrib.postgres.operations import TrigramExtension
from django.db import migrations

# table -> (weighted parts of the vector, columns whose change recomputes it, trigram-indexed columns)
TABLES = {
    "resources_paper": (
        [
            ("english", "NEW.title", "A"),
            ("english", "NEW.arxiv_id || ' ' || NEW.doi", "A"),
            ("english", "NEW.authors::text", "B"),
            ("english", "NEW.venue", "C"),
            ("english", "NEW.abstract || ' ' || NEW.description_en", "D"),
            ("simple", "NEW.description_zh", "D"),
        ],
        ["title", "arxiv_id", "doi", "authors", "venue", "abstract", "description_en", "description_zh"],
        ["title", "description_zh"],
    ),
    "resources_book": (
        [
            ("english", "NEW.title", "A"),
            ("english", "NEW.authors::text", "B"),
            ("english", "NEW.publisher", "C"),
            ("english", "NEW.description_en", "D"),
            ("simple", "NEW.description_zh", "D"),
        ],
        ["title", "authors", "publisher", "description_en", "description_zh"],
        ["title", "description_zh"],
    ),
    "resources_course": (
        [
            ("english", "NEW.title", "A"),
            ("english", "NEW.provider || ' ' || NEW.instructors::text", "B"),
            ("english", "NEW.description_en", "D"),
            ("simple", "NEW.description_zh", "D"),
        ],
        ["title", "provider", "instructors", "description_en", "description_zh"],
        ["title", "description_zh"],
    ),
    "resources_community": (
        [
            ("english", "NEW.name", "A"),
            ("english", "NEW.description_en", "D"),
            ("simple", "NEW.description_zh", "D"),
        ],
        ["name", "description_en", "description_zh"],
        ["name", "description_zh"],
    ),
    "resources_conferenceseries": (
        [
            ("english", "NEW.short_name", "A"),
            ("english", "NEW.full_name", "A"),
            ("english", "NEW.field", "B"),
            ("english", "NEW.description_en", "D"),
            ("simple", "NEW.description_zh", "D"),
        ],
        ["short_name", "full_name", "field", "description_en", "description_zh"],
        ["short_name", "full_name", "description_zh"],
    ),
}


def _vector_sql(parts) -> str:
    return " || ".join(
        f"setweight(to_tsvector('{config}', coalesce({expr}, '')), '{weight}')" for config, expr, weight in parts
    )


def forwards(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    for table, (parts, watched, trigram) in TABLES.items():
        schema_editor.execute(
            f"""
            CREATE OR REPLACE FUNCTION {table}_search_vector() RETURNS trigger LANGUAGE plpgsql AS $$
            BEGIN
                NEW.search_vector := {_vector_sql(parts)};
                RETURN NEW;
            END
            $$;
            """
        )
        schema_editor.execute(
            f"CREATE TRIGGER {table}_search_vector_trg BEFORE INSERT OR UPDATE OF {', '.join(watched)} "
            f"ON {table} FOR EACH ROW EXECUTE FUNCTION {table}_search_vector();"
        )
        schema_editor.execute(f"CREATE INDEX {table}_search_gin ON {table} USING gin (search_vector);")
        for column in trigram:
            schema_editor.execute(
                f"CREATE INDEX {table}_{column}_trgm ON {table} USING gin ({column} gin_trgm_ops);"
            )
        # Rows written before this migration: touching a watched column fires the trigger.
        schema_editor.execute(f"UPDATE {table} SET {watched[0]} = {watched[0]};")


def backwards(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    for table, (_parts, _watched, trigram) in TABLES.items():
        schema_editor.execute(f"DROP TRIGGER IF EXISTS {table}_search_vector_trg ON {table};")
        schema_editor.execute(f"DROP FUNCTION IF EXISTS {table}_search_vector();")
        schema_editor.execute(f"DROP INDEX IF EXISTS {table}_search_gin;")
        for column in trigram:
            schema_editor.execute(f"DROP INDEX IF EXISTS {table}_{column}_trgm;")
        schema_editor.execute(f"UPDATE {table} SET search_vector = NULL;")


class Migration(migrations.Migration):
    dependencies = [("resources", "0002_search_vector")]

    operations = [
        TrigramExtension(),
        migrations.RunPython(forwards, backwards, elidable=False),
    ]
