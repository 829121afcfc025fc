"""The end of a test run that skipped tests names each group and the command that runs it."""

from tests.processes import skip_summary


def test_each_skip_reason_lands_in_its_group_with_its_command():
    lines = skip_summary(
        [
            "Debian's Chromium is not installed at /usr/bin/chromium (apt-get install chromium)",
            "Debian's Chromium is not installed at /usr/bin/chromium (apt-get install chromium)",
            "needs PostgreSQL: run with DATABASE_URL=postgres://...",
            "the Redis leg's test: this run uses the embedded broker and cache",
            "PORTAL_EXPECT_STACK is not set (.ci/run sets it for each leg)",
            "something else entirely",
        ]
    )
    assert lines[0].startswith("   2 skipped: browser") and "apt-get install chromium" in lines[0]
    assert "DATABASE_URL=postgres://" in lines[1] and lines[1].startswith("   1 skipped: PostgreSQL")
    assert "CELERY_BROKER_URL=redis://" in lines[2]
    assert ".ci/run" in lines[3]
    assert lines[4] == "   1 skipped: something else entirely"


def test_a_run_without_skips_says_nothing():
    assert skip_summary([]) == []
