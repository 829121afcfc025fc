"""sync_deadlines: two snapshots of the upstream repositories, and exactly the changes between them.

The first snapshot is a ccf-deadlines checkout and an ai-deadlines checkout (test data shaped like
upstream's); the second is a copy edited the way upstream moves: a deadline moved, a new edition,
a deadline that vanished, and a value changed under a row a curator edited.
"""

import datetime as dt
import io
import subprocess

import pytest
from django.core.management import CommandError, call_command
from django.utils import timezone

from resources import tasks
from resources.models import ConferenceEdition, Deadline, DeadlineChange, DeadlineConflict, SyncRun
from resources.sync import SyncBusy, sync
from tests.resources.deadline_sources import checkouts, edit, second_snapshot

pytestmark = pytest.mark.django_db


def utc(*args) -> dt.datetime:
    return dt.datetime(*args, tzinfo=dt.UTC)


def test_a_second_snapshot_gives_exactly_the_expected_changes(tmp_path):
    ccf, hf = checkouts(tmp_path)
    run, report = sync([ccf, hf])
    assert report.ok and report.stored, report.errors
    assert run.state == SyncRun.State.DONE and run.finished_at
    assert not DeadlineChange.objects.exists()  # a first import is no change
    # A curator corrects ZoneConf's notification by hand (the admin sets curator_edited).
    notification = Deadline.objects.get(edition__hf_id="zoneconf26", kind="notification")
    notification.at, notification.local, notification.curator_edited = utc(2027, 1, 17), "2027-01-17", True
    notification.save()
    paper_2026 = Deadline.objects.get(edition__ccf_id="nips26", kind="paper")
    abstract_2026 = Deadline.objects.get(edition__ccf_id="nips26", kind="abstract")

    second_snapshot(ccf, hf)
    run, report = sync([ccf, hf])
    assert report.ok and report.stored, report.errors
    assert (report.total("created"), report.total("updated"), report.total("withdrawn")) == (2, 1, 1)
    # created: the 2027 edition and its deadline; updated: the moved paper deadline (and its
    # comment); withdrawn: the abstract deadline.

    changes = sorted(
        DeadlineChange.objects.values_list("edition__ccf_id", "kind", "change", "old_at", "new_at", "source")
    )
    assert changes == [
        ("nips26", "abstract", "withdrawn", abstract_2026.at, abstract_2026.at, "ccf"),
        ("nips26", "paper", "moved", utc(2026, 5, 7, 11, 59), utc(2026, 5, 14, 11, 59), "ccf"),
        # A new edition of a known series: its deadline is announced (followers hear of it).
        ("nips27", "paper", "announced", None, utc(2027, 5, 14, 11, 59, 59), "ccf"),
    ]
    paper_2026.refresh_from_db()
    assert paper_2026.at == utc(2026, 5, 14, 11, 59)  # updated in place, same row
    abstract_2026.refresh_from_db()
    assert abstract_2026.withdrawn_at is not None  # withdrawn, never deleted
    assert ConferenceEdition.objects.get(ccf_id="nips27").deadlines.get().local == "2027-05-13 23:59:59"

    # The curator's row is left as the curator set it; the difference is a conflict to settle.
    notification.refresh_from_db()
    assert (notification.at, notification.local) == (utc(2027, 1, 17), "2027-01-17")
    conflict = DeadlineConflict.objects.get(reason="curator")
    assert conflict.values == [
        {"source": "", "at": "2027-01-17T00:00:00+00:00", "local": "2027-01-17", "timezone": "PT"},
        {"source": "hf", "at": "2027-01-21T07:59:59+00:00", "local": "2027-01-20 23:59:59", "timezone": "PT"},
    ]
    assert any("conflict on the notification deadline" in w for f in report.files for w in f.warnings)

    # The same snapshot again: nothing more.
    run, report = sync([ccf, hf])
    assert (report.total("created"), report.total("updated"), report.total("withdrawn")) == (0, 0, 0)
    assert DeadlineChange.objects.count() == 3
    assert DeadlineConflict.objects.count() == 1

    # The deadline comes back upstream: reinstated, and recorded.
    edit(
        ccf / "conference" / "AI" / "nips.yml",
        lambda data: data[0]["confs"][1]["timeline"][0].update(abstract_deadline="2026-05-05 11:59:00"),
    )
    sync([ccf, hf])
    abstract_2026.refresh_from_db()
    assert abstract_2026.withdrawn_at is None
    assert DeadlineChange.objects.filter(change="reinstated", deadline=abstract_2026).exists()


def test_a_git_directory_is_read_at_its_head(tmp_path):
    ccf, _hf = checkouts(tmp_path)
    git = ["git", "-c", "user.name=t", "-c", "user.email=t@example.org", "-C", str(ccf)]
    subprocess.run([*git, "init", "-q"], check=True)
    subprocess.run([*git, "add", "-A"], check=True)
    subprocess.run([*git, "commit", "-qm", "snapshot"], check=True)
    # A change in the working tree that was never committed is not read.
    second_snapshot(ccf, _hf)
    _run, report = sync([ccf / ".git"])
    assert report.ok, report.errors
    assert not ConferenceEdition.objects.filter(ccf_id="nips27").exists()
    assert Deadline.objects.get(edition__ccf_id="nips26", kind="paper").at == utc(2026, 5, 7, 11, 59)


def test_two_syncs_never_overlap(tmp_path, settings):
    ccf, hf = checkouts(tmp_path)
    running = SyncRun.objects.create(paths="elsewhere")
    with pytest.raises(SyncBusy, match="another deadline sync is running"):
        sync([ccf, hf])
    assert not ConferenceEdition.objects.exists()
    with pytest.raises(CommandError, match="another deadline sync is running") as raised:
        call_command("sync_deadlines", str(ccf), stdout=io.StringIO())
    assert raised.value.returncode == 2
    # The beat job says so and does nothing.
    settings.DEADLINE_SYNC_PATHS = [str(ccf), str(hf)]
    assert tasks.sync_deadlines().startswith("another deadline sync is running")
    # A run that died long ago without closing its row does not hold the lock for ever.
    SyncRun.objects.filter(pk=running.pk).update(started_at=timezone.now() - dt.timedelta(days=1))
    assert tasks.sync_deadlines().startswith("stored: created ")
    running.refresh_from_db()
    assert running.state == SyncRun.State.FAILED
    assert SyncRun.objects.filter(state=SyncRun.State.DONE).count() == 1


def test_the_command_reports_and_a_missing_path_is_a_clear_error(tmp_path):
    ccf, hf = checkouts(tmp_path)
    out = io.StringIO()
    call_command("sync_deadlines", str(ccf), str(hf), stdout=out)
    # A checkout is read from its data folders: its README is not even looked at.
    assert "README.md" not in out.getvalue()
    assert "conference/AI/nips.yml: created 7" in out.getvalue()
    assert out.getvalue().splitlines()[-1].startswith("sync ")
    with pytest.raises(CommandError, match="no such file or folder"):
        call_command("sync_deadlines", str(tmp_path / "nowhere"), stdout=io.StringIO())
    assert SyncRun.objects.filter(state=SyncRun.State.FAILED).count() == 1
    assert not SyncRun.objects.filter(state=SyncRun.State.RUNNING).exists()


def test_the_beat_job_is_scheduled_only_with_paths_to_sync():
    from django.conf import settings

    assert ("sync-deadlines" in settings.CELERY_BEAT_SCHEDULE) == bool(settings.DEADLINE_SYNC_PATHS)
