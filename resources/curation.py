"""A curator's hand on the deadlines the importers keep: an edit that imports then leave alone,
and the choice that settles a conflict between two values.

The admin and the API call these, so a deadline edited either way is protected the same way and
its history records the same change. An import or sync never overwrites a row marked
``curator_edited``; where its source then differs, the importer opens a ``DeadlineConflict``
that ``resolve_conflict`` settles.
"""

import datetime as dt

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from resources.models import Deadline, DeadlineChange, DeadlineConflict

__all__ = ["as_written", "before_edit", "check_choice", "curator_saved", "instant", "resolve_conflict"]

#: The fields of a deadline whose values a change record and a conflict compare.
WHEN = ("at", "local", "timezone")


def as_written(at: dt.datetime | None, local: str, zone: str) -> str:
    """A deadline's time as change records and reports show it: the source's words, else the
    instant."""
    if at is None:
        return "TBD"
    return f"{local} ({zone})" if local else at.isoformat()


def before_edit(deadline: Deadline | None) -> dict | None:
    """The values of a stored deadline that ``curator_saved`` compares with; None for a new one."""
    if deadline is None or deadline.pk is None:
        return None
    return {name: getattr(deadline, name) for name in WHEN}


def curator_saved(deadline: Deadline, before: dict | None, *, now: dt.datetime | None = None) -> None:
    """Call after a curator saved ``deadline`` (``before``: its values as loaded, None if new).

    The row is marked ``curator_edited``, so imports report a differing source as a conflict
    instead of overwriting it, and a new or moved instant is recorded as a change by the curator.
    """
    if not deadline.curator_edited:
        Deadline.objects.filter(pk=deadline.pk).update(curator_edited=True)
        deadline.curator_edited = True
    if before is None or before["at"] == deadline.at:
        return
    _record_change(deadline, before, Deadline.Source.NONE, now or timezone.now())


def _record_change(deadline: Deadline, before: dict, source: str, now: dt.datetime) -> DeadlineChange:
    """Record that ``deadline`` moved (or was announced) from the values in ``before``."""
    return DeadlineChange.objects.create(
        edition_id=deadline.edition_id,
        deadline=deadline,
        kind=deadline.kind,
        label=deadline.label,
        change=DeadlineChange.Change.ANNOUNCED if before["at"] is None else DeadlineChange.Change.MOVED,
        old_at=before["at"],
        new_at=deadline.at,
        old_local=as_written(before["at"], before["local"], before["timezone"]),
        new_local=as_written(deadline.at, deadline.local, deadline.timezone),
        source=source,
        seen_at=now,
    )


def instant(value: dict) -> dt.datetime | None:
    """The instant of one of a conflict's values."""
    return dt.datetime.fromisoformat(value["at"]) if value.get("at") else None


def check_choice(conflict: DeadlineConflict, choice: str) -> dict:
    """The value of ``conflict`` that ``choice`` names; a ValidationError if there is none to take."""
    if conflict.resolved_at is not None:
        raise ValidationError(_("This conflict is already settled."))
    chosen = next((v for v in conflict.values if v["source"] == choice), None)
    if chosen is None:
        raise ValidationError(_("Choose one of the conflict's values."))
    return chosen


def resolve_conflict(conflict: DeadlineConflict, choice: str, *, now: dt.datetime | None = None) -> Deadline:
    """Settle ``conflict`` with the value of ``choice`` (a source among its values: ``"ccf"``,
    ``"hf"``, or ``""`` for the curator's own) and return the deadline as it now stands.

    The chosen value becomes the deadline's, recorded as a change where the instant moves. A
    value taken from the row's own source hands the row back to imports; any other choice keeps
    it as the curator's, and a settled record of the values chosen between keeps the next import
    from asking again.
    """
    now = now or timezone.now()
    chosen = check_choice(conflict, choice)
    with transaction.atomic():
        rows = Deadline.objects.select_for_update().filter(
            edition_id=conflict.edition_id, kind=conflict.kind, withdrawn_at__isnull=True
        )
        if conflict.reason == DeadlineConflict.Reason.SOURCES:
            # One row of this kind stands for both data sets; its label is its source's.
            rows = rows.filter(source__in=[v["source"] for v in conflict.values])
        else:
            rows = rows.filter(label=conflict.label)
        found = list(rows[:2])
        if len(found) != 1:
            raise ValidationError(_("The deadline this conflict is about is no longer listed."))
        deadline = found[0]
        before = before_edit(deadline)
        deadline.at, deadline.local, deadline.timezone = instant(chosen), chosen["local"], chosen["timezone"]
        hands_back = conflict.reason == DeadlineConflict.Reason.CURATOR and choice == deadline.source != ""
        differs = before != before_edit(deadline)
        deadline.curator_edited = not hands_back and (deadline.curator_edited or differs)
        deadline.save(update_fields=[*WHEN, "curator_edited"])
        if before["at"] != deadline.at:
            _record_change(deadline, before, choice, now)
        conflict.resolved_at, conflict.chosen = now, choice
        conflict.save(update_fields=["resolved_at", "chosen"])
        if deadline.curator_edited and conflict.reason == DeadlineConflict.Reason.SOURCES:
            # The row now differs from its own source: that import would open a curator conflict
            # over the very values chosen between here. Record it as settled.
            upstream = next(v for v in conflict.values if v["source"] == deadline.source)
            mine = {"source": "", **{k: chosen[k] for k in ("at", "local", "timezone")}}
            DeadlineConflict.objects.get_or_create(
                edition_id=conflict.edition_id,
                kind=deadline.kind,
                label=deadline.label,
                reason=DeadlineConflict.Reason.CURATOR,
                values=[mine, upstream],
                defaults={"resolved_at": now, "chosen": ""},
            )
    return deadline
