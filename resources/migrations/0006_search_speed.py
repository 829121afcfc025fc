"""PostgreSQL only: what the search and the paper list need to stay fast at 100,000 papers.

1. The search triggers also add the words of a published item's title to resources_searchword,
   which has a trigram index: a search that finds nothing corrects each word to its nearest
   vocabulary word ("atention" → "attention") and searches again. Comparing a short word with a
   vocabulary is cheap; word_similarity against every title was measured at about 30 µs a row,
   some 250 ms for one mistyped word over 100,000 titles.
2. search_vector is kept in the row (STORAGE MAIN), compressed with lz4 where the server has
   it: ranking reads the vector of every match, and an out-of-line (TOAST) vector costs an index
   lookup per row — ranking 13,000 matches went from about 200 ms to 55 ms.
3. Partial indexes on published papers for the list page: its default order, the newest-first
   orders, and a covering index from which the count and the facet counts read without
   touching the wide rows.
"""

from django.db import migrations

# table -> (weighted parts of the vector, columns whose change recomputes it, title columns)
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
        ["title"],
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
        ["title"],
    ),
    "resources_course": (
        [
            ("english", "NEW.title", "A"),
            ("english", "NEW.provider || ' ' || NEW.instructors::text", "B"),
            ("english", "NEW.description_en", "D"),
            ("simple", "NEW.description_zh", "D"),
        ],
        ["title", "provider", "instructors", "description_en", "description_zh"],
        ["title"],
    ),
    "resources_community": (
        [
            ("english", "NEW.name", "A"),
            ("english", "NEW.description_en", "D"),
            ("simple", "NEW.description_zh", "D"),
        ],
        ["name", "description_en", "description_zh"],
        ["name"],
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
        ["short_name", "full_name"],
    ),
}



def _words_sql(text: str, source: str = "", condition: str = "TRUE") -> str:
    """Insert the words of ``text``: at least three characters, starting with a letter (digits
    and Chinese are left out)."""
    return f"""
        INSERT INTO resources_searchword (word)
        SELECT DISTINCT w FROM {source} regexp_split_to_table(lower({text}), '[^[:alnum:]]+') AS w
        WHERE {condition} AND char_length(w) BETWEEN 3 AND 60 AND w ~ '^[a-z]'
        ON CONFLICT (word) DO NOTHING;
    """

PAPER_INDEXES = [
    # The list's default order ("newest") and the title order.
    "CREATE INDEX paper_published_newest ON resources_paper (year DESC NULLS LAST, title, id) "
    "WHERE status = 'published'",
    "CREATE INDEX paper_published_title ON resources_paper (title, id) WHERE status = 'published'",
    # The home page's newest papers and the "recently added" order.
    "CREATE INDEX paper_published_added ON resources_paper (published_at DESC NULLS LAST, id DESC) "
    "WHERE status = 'published'",
    # Count and facets (year, venue rank, topic) by index-only scans.
    "CREATE INDEX paper_published_facets ON resources_paper (year, venue_edition_id, id) "
    "WHERE status = 'published'",
]


def _vector_sql(parts) -> str:
    return " || ".join(
        f"setweight(to_tsvector('{config}', coalesce({expr}, '')), '{weight}')" for config, expr, weight in parts
    )


def _create_function(schema_editor, table, parts, titles, with_words: bool):
    title_text = " || ' ' || ".join(f"coalesce(NEW.{c}, '')" for c in titles)
    words = f"IF NEW.status = 'published' THEN {_words_sql(title_text)} END IF;" if with_words else ""
    schema_editor.execute(
        f"""
        CREATE OR REPLACE FUNCTION {table}_search_vector() RETURNS trigger LANGUAGE plpgsql AS $$
        BEGIN
            NEW.search_vector := {_vector_sql(parts)};
            {words}
            RETURN NEW;
        END
        $$;
        """
    )


def _create_trigger(schema_editor, table, watched):
    schema_editor.execute(f"DROP TRIGGER IF EXISTS {table}_search_vector_trg ON {table};")
    schema_editor.execute(
        f"CREATE TRIGGER {table}_search_vector_trg BEFORE INSERT OR UPDATE OF {', '.join(watched)} "
        f"ON {table} FOR EACH ROW EXECUTE FUNCTION {table}_search_vector();"
    )


def _has_lz4(schema_editor) -> bool:
    with schema_editor.connection.cursor() as cursor:
        cursor.execute("SELECT enumvals FROM pg_settings WHERE name = 'default_toast_compression'")
        row = cursor.fetchone()
    return bool(row and "lz4" in (row[0] or []))


def forwards(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute(
        "CREATE INDEX resources_searchword_trgm ON resources_searchword USING gin (word gin_trgm_ops);"
    )
    lz4 = _has_lz4(schema_editor)
    for table, (parts, watched, titles) in TABLES.items():
        _create_function(schema_editor, table, parts, titles, with_words=True)
        _create_trigger(schema_editor, table, [*watched, "status"])
        schema_editor.execute(f"ALTER TABLE {table} ALTER COLUMN search_vector SET STORAGE MAIN;")
        if lz4:
            schema_editor.execute(f"ALTER TABLE {table} ALTER COLUMN search_vector SET COMPRESSION lz4;")
        title_text = " || ' ' || ".join(f"coalesce({c}, '')" for c in titles)
        schema_editor.execute(_words_sql(title_text, f"{table} AS t,", "t.status = 'published'"))
    for statement in PAPER_INDEXES:
        schema_editor.execute(statement + ";")


def backwards(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    for statement in PAPER_INDEXES:
        schema_editor.execute(f"DROP INDEX IF EXISTS {statement.split()[2]};")
    for table, (parts, watched, titles) in TABLES.items():
        _create_function(schema_editor, table, parts, titles, with_words=False)
        _create_trigger(schema_editor, table, watched)
        schema_editor.execute(f"ALTER TABLE {table} ALTER COLUMN search_vector SET STORAGE EXTENDED;")
    schema_editor.execute("DROP INDEX IF EXISTS resources_searchword_trgm;")


class Migration(migrations.Migration):
    dependencies = [("resources", "0005_searchword")]

    operations = [migrations.RunPython(forwards, backwards, elidable=False)]
