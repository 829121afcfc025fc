"""Study plans: a path's remaining steps scheduled backwards from a deadline (or a date), at the
hours a week the learner can give.

The plan is computed from the stored plan (path, deadline or date, hours a week, time zone) and
the learner's progress each time it is read, so marking a step done moves the rest at once.

Rules, so that a plan can be checked by hand:

- The plan must be finished by ``finish_by``: for a deadline, the last whole day before it in
  the learner's time zone (a paper deadline of 15 May 23:59 AoE is 16 May 19:59 in Shanghai, so
  a learner there finishes by 15 May; in Los Angeles it is 16 May 04:59, so 15 May as well; in
  Kiritimati, UTC+14, 17 May 01:59, so 16 May).
- Steps done or skipped are not planned. The others keep the path's order, moved only where a
  prerequisite must come first (a topological order, by position among the ready steps).
- The learner studies ``hours_per_week / 7`` hours every day. A step of ``h`` hours takes
  ``ceil(h / daily hours)`` whole days; the last step ends on ``finish_by`` and each earlier one
  ends the day before the next begins.
- The plan is possible when its first day is not before ``today``. Otherwise it says by how many
  weeks it falls short, and how many hours a week would fit the remaining days.
"""

import datetime as dt
import heapq
import math
from dataclasses import dataclass, field

__all__ = ["Plan", "PlannedStep", "finish_by_for", "plan_backwards", "study_order"]


@dataclass(frozen=True)
class PlannedStep:
    step_id: int
    hours: int
    start: dt.date
    end: dt.date


@dataclass(frozen=True)
class Plan:
    steps: list[PlannedStep]
    finish_by: dt.date
    today: dt.date
    hours_per_week: int
    hours_left: int
    #: The days from today to finish_by, both counted.
    days_available: int
    #: The days the plan needs at this pace.
    days_needed: int
    feasible: bool
    by_step: dict[int, PlannedStep] = field(default_factory=dict)

    @property
    def start(self) -> dt.date:
        return self.steps[0].start if self.steps else self.finish_by

    @property
    def weeks_short(self) -> float:
        """How many weeks too few there are (0 when the plan fits), to one decimal."""
        return round(max(0, self.days_needed - self.days_available) / 7, 1)

    @property
    def hours_per_week_needed(self) -> int | None:
        """The pace that would fit the days available; None when none are left."""
        if self.days_available <= 0:
            return None
        return math.ceil(self.hours_left / (self.days_available / 7))


def finish_by_for(deadline_at: dt.datetime, zone) -> dt.date:
    """The last whole day before ``deadline_at`` in ``zone`` (a tzinfo)."""
    return deadline_at.astimezone(zone).date() - dt.timedelta(days=1)


def study_order(steps: list[tuple[int, int]], prerequisites: dict[int, set[int]]) -> list[int]:
    """``steps``: (id, position) pairs. The ids in path order, each after its prerequisites
    (prerequisites outside ``steps`` are taken as met)."""
    ids = {step_id for step_id, _ in steps}
    position = dict(steps)
    waiting = {step_id: set(prerequisites.get(step_id, ())) & ids for step_id in ids}
    followers: dict[int, list[int]] = {step_id: [] for step_id in ids}
    for step_id, before in waiting.items():
        for other in before:
            followers[other].append(step_id)
    ready = [(position[s], s) for s, before in waiting.items() if not before]
    heapq.heapify(ready)
    order = []
    while ready:
        _position, step_id = heapq.heappop(ready)
        order.append(step_id)
        for follower in followers[step_id]:
            waiting[follower].discard(step_id)
            if not waiting[follower]:
                heapq.heappush(ready, (position[follower], follower))
    if len(order) != len(ids):
        raise ValueError("the prerequisites of these steps form a cycle")
    return order


def plan_backwards(
    steps: list[tuple[int, int, int]],
    prerequisites: dict[int, set[int]],
    *,
    finished: set[int],
    finish_by: dt.date,
    today: dt.date,
    hours_per_week: int,
) -> Plan:
    """``steps``: (id, position, hours) of a path's steps; ``finished``: the ids done or skipped."""
    if hours_per_week <= 0:
        raise ValueError("hours a week must be positive")
    remaining = [(step_id, position, hours) for step_id, position, hours in steps if step_id not in finished]
    hours_of = {step_id: max(1, hours) for step_id, _position, hours in remaining}
    order = study_order([(s, p) for s, p, _h in remaining], prerequisites)
    daily = hours_per_week / 7
    planned: list[PlannedStep] = []
    end = finish_by
    for step_id in reversed(order):
        days = math.ceil(hours_of[step_id] / daily - 1e-9)
        start = end - dt.timedelta(days=days - 1)
        planned.append(PlannedStep(step_id, hours_of[step_id], start, end))
        end = start - dt.timedelta(days=1)
    planned.reverse()
    start = planned[0].start if planned else finish_by
    days_available = (finish_by - today).days + 1
    days_needed = (finish_by - start).days + 1 if planned else 0
    return Plan(
        steps=planned,
        finish_by=finish_by,
        today=today,
        hours_per_week=hours_per_week,
        hours_left=sum(hours_of.values()),
        days_available=days_available,
        days_needed=days_needed,
        feasible=start >= today,
        by_step={p.step_id: p for p in planned},
    )
