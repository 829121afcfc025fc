"""Study plans: one path's dates worked out by hand, the "not enough weeks" case, an AoE deadline
in three time zones, progress moving the plan, the page, and the plan in the personal calendar."""

import datetime as dt
import re
import zoneinfo

import pytest
from django.urls import reverse
from icalendar import Calendar

from paths.models import Progress, StepProgress, StudyPlan
from paths.planning import finish_by_for, plan_backwards, study_order
from tests import factories
from tests.helpers import make_path

D = dt.date

# Three steps: 4 h, then 6 h (after the first), then 3 h.
STEPS = [(1, 1, 4), (2, 2, 6), (3, 3, 3)]
PREREQUISITES = {2: {1}}


def test_one_plan_checked_by_hand():
    plan = plan_backwards(
        STEPS, PREREQUISITES, finished=set(), finish_by=D(2027, 5, 15), today=D(2027, 5, 1), hours_per_week=7
    )
    # 7 hours a week is 1 hour a day. Backwards from 15 May: step 3 (3 h) takes 13-15 May,
    # step 2 (6 h) 7-12 May, step 1 (4 h) 3-6 May.
    assert [(p.step_id, p.start, p.end) for p in plan.steps] == [
        (1, D(2027, 5, 3), D(2027, 5, 6)),
        (2, D(2027, 5, 7), D(2027, 5, 12)),
        (3, D(2027, 5, 13), D(2027, 5, 15)),
    ]
    assert (plan.feasible, plan.start, plan.days_available, plan.days_needed, plan.hours_left) == (
        True,
        D(2027, 5, 3),
        15,
        13,
        13,
    )
    assert plan.weeks_short == 0


def test_not_enough_weeks_says_by_how_much():
    plan = plan_backwards(
        STEPS, PREREQUISITES, finished=set(), finish_by=D(2027, 5, 15), today=D(2027, 5, 10), hours_per_week=7
    )
    # The plan needs 13 days (from 3 May); 10-15 May is 6 days: 7 days, one week, short. 13 hours
    # in 6 days is 15.2 hours a week: 16.
    assert not plan.feasible
    assert (plan.days_available, plan.days_needed, plan.weeks_short, plan.hours_per_week_needed) == (
        6,
        13,
        1.0,
        16,
    )
    # Done and skipped steps leave the plan: with step 1 done it fits.
    lighter = plan_backwards(
        STEPS, PREREQUISITES, finished={1}, finish_by=D(2027, 5, 15), today=D(2027, 5, 7), hours_per_week=7
    )
    assert lighter.feasible and lighter.start == D(2027, 5, 7) and 1 not in lighter.by_step


def test_prerequisites_come_first_and_path_order_breaks_ties():
    # Step A (position 1) needs C (position 3); B (2) needs nothing.
    assert study_order([(10, 1), (20, 2), (30, 3)], {10: {30}}) == [20, 30, 10]
    with pytest.raises(ValueError, match="cycle"):
        study_order([(10, 1), (20, 2)], {10: {20}, 20: {10}})


def test_an_aoe_deadline_in_three_time_zones():
    # 15 May 23:59 AoE (UTC-12) is 16 May 11:59 UTC.
    at = dt.datetime(2027, 5, 16, 11, 59, tzinfo=dt.UTC)
    zones = {
        "Asia/Shanghai": D(2027, 5, 15),  # 16 May 19:59 there: finish by 15 May
        "America/Los_Angeles": D(2027, 5, 15),  # 16 May 04:59 (PDT): finish by 15 May
        "Pacific/Kiritimati": D(2027, 5, 16),  # 17 May 01:59 (UTC+14): finish by 16 May
    }
    for zone, day in zones.items():
        assert finish_by_for(at, zoneinfo.ZoneInfo(zone)) == day, zone


@pytest.mark.django_db
def test_the_page_plans_from_a_deadline_and_moves_with_progress(client):
    learning_path = make_path(slug="plan-me", steps=3)
    steps = list(learning_path.steps.order_by("position"))
    for step, hours in zip(steps, (4, 6, 3), strict=True):
        step.estimated_hours = hours
        step.save()
    edition = factories.ConferenceEditionFactory(year=2099)
    deadline = factories.DeadlineFactory(
        edition=edition,
        at=dt.datetime(2099, 5, 16, 11, 59, tzinfo=dt.UTC),
        local="2099-05-15 23:59",
        timezone="AoE",
    )
    reader = factories.UserFactory(username="planner")
    url = reverse("paths:study-plan", args=["plan-me"])
    assert client.post(url, {"deadline": deadline.pk, "hours_per_week": 7}).status_code == 302  # to log in
    client.force_login(reader)
    both = client.post(url, {"deadline": deadline.pk, "finish_by": "2099-05-01", "hours_per_week": 7})
    assert both.status_code == 400 and "not both" in both.content.decode(), both.context["plan_form"].errors
    assert not StudyPlan.objects.exists()
    response = client.post(url, {"deadline": deadline.pk, "hours_per_week": 7, "time_zone": "Asia/Shanghai"})
    assert response.status_code == 302
    page = client.get(reverse("paths:detail", args=["plan-me"])).content.decode()
    plan_section = page.split('id="plan-heading"')[1]
    assert "Finish by 2099-05-15" in plan_section
    rows = re.findall(r"<td>(\d{4}-\d\d-\d\d)</td><td>(\d{4}-\d\d-\d\d)</td><td>(\d+)</td>", plan_section)
    assert rows == [
        ("2099-05-03", "2099-05-06", "4"),
        ("2099-05-07", "2099-05-12", "6"),
        ("2099-05-13", "2099-05-15", "3"),
    ]

    # Marking the first step done takes it out; the others keep their days.
    StepProgress.objects.create(user=reader, step=steps[0], state=Progress.DONE)
    page = client.get(reverse("paths:detail", args=["plan-me"])).content.decode()
    rows = re.findall(r"<td>(\d{4}-\d\d-\d\d)</td><td>(\d{4}-\d\d-\d\d)</td><td>(\d+)</td>", page)
    assert rows == [("2099-05-07", "2099-05-12", "6"), ("2099-05-13", "2099-05-15", "3")]

    # A date too close says so.
    client.post(url, {"finish_by": D.today().isoformat(), "hours_per_week": 1, "time_zone": "UTC"})
    page = client.get(reverse("paths:detail", args=["plan-me"])).content.decode()
    assert "Not enough weeks" in page

    # The plan's days are in the personal calendar.
    client.post(url, {"deadline": deadline.pk, "hours_per_week": 7, "time_zone": "Asia/Shanghai"})
    made = client.post(reverse("notifications:settings"), {"action": "new-calendar"}, follow=True)
    (address,) = re.findall(r'id="calendar-url" type="url" value="([^"]+)"', made.content.decode())
    feed = Calendar.from_ical(client.get(address.removeprefix("http://testserver")).content)
    plan_id = StudyPlan.objects.get().pk
    days = {
        str(e["uid"]): (e["dtstart"].dt, e["dtend"].dt)
        for e in feed.walk("VEVENT")
        if "plan-" in str(e["uid"])
    }
    assert days == {
        f"plan-{plan_id}-step-{steps[1].pk}@ai-portal": (D(2099, 5, 7), D(2099, 5, 13)),
        f"plan-{plan_id}-step-{steps[2].pk}@ai-portal": (D(2099, 5, 13), D(2099, 5, 16)),
    }
    client.post(url, {"action": "remove"})
    assert not StudyPlan.objects.exists()
