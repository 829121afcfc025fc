"""Keep the catalogue in step with local checkouts of ccf-deadlines and ai-deadlines.

``sync(paths)`` is the import pipeline (``importers.deadlines.import_paths``) with a lock and a
log: a ``SyncRun`` row in state *running* is the lock (a partial unique constraint lets only
one exist, on SQLite and PostgreSQL alike), so two syncs never overlap, whichever process starts
them; a run left *running* longer than ``DEADLINE_SYNC_STALE_SECONDS`` is taken to have died and
is closed as failed. What the pipeline does to the catalogue is what a sync does: deadlines that
vanished upstream are marked withdrawn (never deleted), a row a curator edited is never
overwritten (the difference is a conflict for the admin), and every moved, announced, withdrawn
or reinstated deadline is recorded as a ``DeadlineChange``.

A path may be a folder (a checkout: its data folders are read) or a git directory (a bare
repository or a ``.git`` folder), whose HEAD is read as committed, not the working tree.
"""

import datetime as dt
import subprocess
import tarfile
import tempfile
from contextlib import ExitStack
from pathlib import Path

from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils import timezone

from resources.importers.base import ImportReport
from resources.importers.deadlines import import_paths
from resources.models import SyncRun


class SyncBusy(Exception):
    """Another sync is running."""


class SyncSourceError(Exception):
    """A path to sync from cannot be read."""


def _is_git_dir(path: Path) -> bool:
    return path.is_dir() and (path / "HEAD").is_file() and (path / "objects").is_dir()


def _export_head(git_dir: Path, into: Path) -> Path:
    """The files of HEAD of a git directory, written under ``into``."""
    try:
        archive = subprocess.run(
            ["git", f"--git-dir={git_dir}", "archive", "--format=tar", "HEAD"],
            check=True,
            capture_output=True,
            timeout=300,
        )
    except (OSError, subprocess.SubprocessError) as exc:
        detail = getattr(exc, "stderr", b"") or b""
        raise SyncSourceError(
            f"{git_dir}: cannot read HEAD ({detail.decode(errors='replace').strip() or exc})"
        ) from None
    tar_path = into / "head.tar"
    tar_path.write_bytes(archive.stdout)
    target = into / "tree"
    with tarfile.open(tar_path) as tar:
        tar.extractall(target, filter="data")
    return target


def _open(paths, stack: ExitStack) -> list[Path]:
    folders = []
    for raw in paths:
        path = Path(raw)
        if not path.exists():
            raise SyncSourceError(f"{path}: no such file or folder")
        if _is_git_dir(path):
            temp = Path(stack.enter_context(tempfile.TemporaryDirectory(prefix="sync-")))
            path = _export_head(path, temp)
        folders.append(path)
    return folders


def _take_lock(paths) -> SyncRun:
    stale = timezone.now() - dt.timedelta(seconds=settings.DEADLINE_SYNC_STALE_SECONDS)
    SyncRun.objects.filter(state=SyncRun.State.RUNNING, started_at__lt=stale).update(
        state=SyncRun.State.FAILED,
        finished_at=timezone.now(),
        summary="taken to have died: no end was recorded",
    )
    try:
        with transaction.atomic():
            return SyncRun.objects.create(paths="\n".join(str(p) for p in paths))
    except IntegrityError:
        running = SyncRun.objects.filter(state=SyncRun.State.RUNNING).first()
        since = f" since {running.started_at:%Y-%m-%d %H:%M:%S} UTC" if running else ""
        raise SyncBusy(f"another deadline sync is running{since}; this one did nothing") from None


def sync(
    paths, *, dry_run: bool = False, skip_invalid: bool = False, progress=None, on_count=None
) -> tuple[SyncRun, ImportReport]:
    """Sync the catalogue from ``paths``; raises SyncBusy while another sync runs."""
    run = _take_lock(paths)
    try:
        with ExitStack() as stack:
            folders = _open(paths, stack)
            report = import_paths(
                folders, dry_run=dry_run, skip_invalid=skip_invalid, progress=progress, on_count=on_count
            )
    except BaseException as exc:
        run.state, run.finished_at, run.summary = (
            SyncRun.State.FAILED,
            timezone.now(),
            f"failed: {exc}"[:2000],
        )
        run.save(update_fields=["state", "finished_at", "summary"])
        raise
    run.state = SyncRun.State.DONE if report.ok or report.stored else SyncRun.State.FAILED
    run.finished_at, run.summary = timezone.now(), report.summary()
    run.save(update_fields=["state", "finished_at", "summary"])
    return run, report
