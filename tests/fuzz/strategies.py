"""What the property tests share: Hypothesis settings, strategies, a catalogue snapshot, a rollback.

Test modules import from here (never from one another or from a conftest). The number of
examples each test asks for is scaled by ``examples()``: as written under the default profile
(derandomised, fixed examples), five times more, random ones, under ``--hypothesis-profile=wide``.
"""

from contextlib import contextmanager

from django.apps import apps
from django.db import connection, transaction
from hypothesis import HealthCheck, settings
from hypothesis import strategies as st

from resources.validators import _isbn13_check_digit

#: How many times more examples the ``wide`` profile runs than a test asks for by default.
WIDE_FACTOR = 5


def examples(n: int) -> int:
    """``n`` examples by default; ``WIDE_FACTOR`` times more under the ``wide`` profile."""
    return n * WIDE_FACTOR if settings.get_current_profile_name() == "wide" else n


def fuzz_settings(max_examples: int) -> settings:
    """The settings of a property test that imports files into the database."""
    return settings(
        max_examples=examples(max_examples),
        deadline=None,
        suppress_health_check=[
            HealthCheck.function_scoped_fixture,
            HealthCheck.too_slow,
            HealthCheck.data_too_large,
        ],
    )


# --- catalogue state ------------------------------------------------------------------------------


def catalogue_snapshot() -> dict[str, list[tuple]]:
    """Every row of every table of the catalogue app (many-to-many tables included), every column
    as the database stores it, sorted. Read with one plain ``SELECT *`` per table: the ORM's
    ``values_list()`` cost 4 ms a snapshot on SQLite (0.2 ms this way), and the property tests
    take thousands of snapshots."""
    tables = {}
    quote = connection.ops.quote_name
    with connection.cursor() as cursor:
        for model in apps.get_app_config("resources").get_models(include_auto_created=True):
            cursor.execute(f"SELECT * FROM {quote(model._meta.db_table)}")  # noqa: S608 (a model's table)
            tables[model._meta.db_table] = sorted(map(repr, cursor.fetchall()))
    return tables


def row_counts(snapshot: dict[str, list]) -> dict[str, int]:
    return {table: len(rows) for table, rows in snapshot.items()}


@contextmanager
def rolled_back():
    """Run one generated example inside a savepoint and undo it, so every example starts alike."""
    savepoint = transaction.savepoint()
    try:
        yield
    finally:
        transaction.savepoint_rollback(savepoint)


# --- values ---------------------------------------------------------------------------------------

SAFE = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789 äöüéçñ学习模型"
safe_text = st.text(SAFE, min_size=1, max_size=60).map(str.strip).filter(bool)


def isbn13(digits: str) -> str:
    first12 = "978" + digits
    return first12 + str(_isbn13_check_digit(first12))


valid_isbns = st.from_regex(r"\A\d{9}\Z").map(isbn13)
valid_arxiv = st.builds(
    lambda yy, mm, n: f"{yy:02d}{mm:02d}.{n:05d}",
    st.integers(15, 25),
    st.integers(1, 12),
    st.integers(1, 99999),
)
valid_dois = st.from_regex(r"\A10\.\d{4,5}/[A-Za-z0-9.;()/:_-]{1,30}\Z")
good_urls = st.from_regex(r"\Ahttps?://[a-z]{1,10}\.org/[a-z0-9/]{0,20}\Z")

#: Values of every YAML type, and text no field expects.
wrong = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(),
    st.integers(min_value=10**30),
    st.floats(),
    st.text(max_size=30),
    st.text(min_size=500, max_size=5000),
    st.just(""),
    st.lists(st.text(max_size=10), max_size=3),
    st.dictionaries(st.text(max_size=5), st.text(max_size=5), max_size=2),
    st.dates(),
)
yaml_values = st.recursive(
    st.one_of(st.none(), st.booleans(), st.integers(), st.floats(allow_nan=False), st.text(max_size=20)),
    lambda inner: st.one_of(
        st.lists(inner, max_size=4),
        st.dictionaries(st.one_of(st.text(max_size=8), st.integers()), inner, max_size=4),
    ),
    max_leaves=20,
)
