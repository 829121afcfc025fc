"""Reminders and alerts through a real SMTP server: text, language, the reader's time zone,
headers, the unsubscribe link, and each message once however the passes interleave or fail."""

import datetime as dt

import pytest
from django.test import Client

from notifications import delivery
from notifications.models import Delivery, Follow, Preferences
from resources.models import DeadlineChange
from tests import factories

pytestmark = pytest.mark.django_db


def utc(*args) -> dt.datetime:
    return dt.datetime(*args, tzinfo=dt.UTC)


# An AoE deadline: 6 November 2026 23:59:59 at UTC-12 is 7 November 11:59:59 UTC. Seven days
# before is 31 October 11:59:59 UTC, while Los Angeles is still on summer time (PDT, UTC-7);
# the deadline itself falls after the change back to PST (UTC-8, on 1 November 2026).
AOE_AT = utc(2026, 11, 7, 11, 59, 59)


@pytest.fixture
def delivery_world():
    series = factories.ConferenceSeriesFactory(short_name="TZConf", slug="tzconf")
    edition = factories.ConferenceEditionFactory(series=series, year=2027)
    deadline = factories.DeadlineFactory(
        edition=edition, kind="paper", label="", at=AOE_AT, local="2026-11-06 23:59:59", timezone="AoE"
    )
    readers = {}
    for name, zone, language in (("li", "Asia/Shanghai", "zh-hans"), ("sam", "America/Los_Angeles", "en")):
        user = factories.UserFactory(username=name)
        Preferences.objects.create(user=user, time_zone=zone, language=language)
        Follow.objects.create(user=user, series=series)
        Follow.objects.filter(user=user).update(created_at=utc(2026, 9, 1))
        readers[name] = user
    return {"series": series, "deadline": deadline, **readers}


def by_recipient(messages):
    return {m["To"]: m for m in messages}


def text_of(message) -> str:
    return message.get_body(preferencelist=("plain",)).get_content()


def test_a_reminder_seven_days_before_an_aoe_deadline_in_each_readers_zone_and_language(smtp, delivery_world):
    outcome = delivery.run(now=utc(2026, 10, 31, 12, 5))
    assert outcome["sent"] == 2
    mail = by_recipient(smtp.messages)
    assert set(mail) == {"li@example.org", "sam@example.org"}

    sam = mail["sam@example.org"]
    assert sam["Subject"] == "TZConf 2027: Paper in 6 days, 23 hours"
    body = text_of(sam)
    assert "Hello sam," in body
    assert "2026-11-07 03:59 (America/Los_Angeles)" in body  # PST, after the change
    assert "2026-11-07 11:59 UTC" in body
    assert "as the conference writes it: 2026-11-06 23:59:59 AoE" in body
    assert "https://portal.example.org/conferences/tzconf/" in body

    li = mail["li@example.org"]
    body = text_of(li)
    assert "2026-11-07 19:59 (Asia/Shanghai)" in body
    assert "你好" in body and "截止日期" in body
    assert "论文" in li["Subject"]

    for message in (sam, li):
        assert message.get_body(preferencelist=("html",)) is not None  # text and HTML parts
        assert message["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
        assert (
            message["List-Unsubscribe"]
            .strip()
            .startswith("<https://portal.example.org/notifications/unsubscribe/")
        )
        assert "<img" not in message.get_body(preferencelist=("html",)).get_content()  # no tracking pixel
    # The 30-day reminder's moment had passed unsent when the reader followed: skipped, never sent.
    assert Delivery.objects.filter(state="skipped", key__endswith=":30").count() == 2

    # Another pass at the same moment sends nothing; the 1-day reminder comes a week later.
    assert delivery.run(now=utc(2026, 10, 31, 12, 10)).get("sent", 0) == 0
    assert delivery.run(now=utc(2026, 11, 6, 12, 0)).get("sent", 0) == 2
    assert len(smtp.messages) == 4
    assert delivery.run(now=utc(2026, 11, 8)).get("sent", 0) == 0  # the deadline is past


def test_the_unsubscribe_link_works_without_signing_in(smtp, delivery_world):
    delivery.run(now=utc(2026, 10, 31, 12, 5))
    sam = by_recipient(smtp.messages)["sam@example.org"]
    url = sam["List-Unsubscribe"].strip().strip("<>").removeprefix("https://portal.example.org")
    anonymous = Client()
    page = anonymous.get(url)
    assert page.status_code == 200 and "Unsubscribe" in page.content.decode()
    assert Preferences.objects.get(user=delivery_world["sam"]).email_reminders is True
    # RFC 8058: the mail client POSTs "List-Unsubscribe=One-Click", no session, no CSRF token.
    done = anonymous.post(url, {"List-Unsubscribe": "One-Click"})
    assert done.status_code == 200
    assert Preferences.objects.get(user=delivery_world["sam"]).email_reminders is False
    assert Preferences.objects.get(user=delivery_world["li"]).email_reminders is True
    assert delivery.run(now=utc(2026, 11, 6, 12, 0)).get("sent", 0) == 1  # li only
    # A forged or altered token changes nothing.
    assert anonymous.post(url[:-3] + "abc/").status_code == 404


def test_two_passes_at_once_send_each_message_once(smtp, delivery_world):
    now = utc(2026, 10, 31, 12, 5)
    # Both passes plan, then both see the same ready rows before either sends.
    delivery.plan(now)
    delivery.plan(now)
    first, second = delivery._ready(now), delivery._ready(now)
    assert first == second and len(first) == 2
    outcomes = []
    for a, b in zip(first, second, strict=True):
        outcomes += [delivery.send(a, now), delivery.send(b, now)]
    assert sorted(outcomes) == ["sent", "sent", "taken", "taken"]
    assert len(smtp.messages) == 2
    assert Delivery.objects.filter(state="sent").count() == 2


def test_an_smtp_server_down_for_the_first_attempts_loses_and_repeats_nothing(smtp, delivery_world):
    smtp.stop()
    now = utc(2026, 10, 31, 12, 5)
    assert delivery.run(now=now)["pending"] == 2
    row = Delivery.objects.filter(state="pending").first()
    assert row.attempts == 1 and row.error
    # Backoff: the second attempt waits 2 minutes, the third 4.
    assert delivery.run(now=now + dt.timedelta(minutes=1)).get("pending", 0) == 0
    assert delivery.run(now=now + dt.timedelta(minutes=3))["pending"] == 2
    smtp.start()
    assert delivery.run(now=now + dt.timedelta(minutes=4)).get("sent", 0) == 0  # still waiting
    assert delivery.run(now=now + dt.timedelta(minutes=8))["sent"] == 2
    assert len(smtp.messages) == 2
    assert delivery.run(now=now + dt.timedelta(minutes=30)).get("sent", 0) == 0
    assert len(smtp.messages) == 2


def test_a_pass_that_died_while_sending_is_taken_up_after_its_lease(smtp, delivery_world):
    now = utc(2026, 10, 31, 12, 5)
    delivery.plan(now)
    # A pass claimed both rows and died before sending.
    for pk in delivery._ready(now):
        assert delivery._claim(pk, now)
    assert delivery.run(now=now + dt.timedelta(minutes=5)).get("sent", 0) == 0  # the lease holds
    assert delivery.run(now=now + dt.timedelta(minutes=11))["sent"] == 2
    assert len(smtp.messages) == 2


def test_a_reminder_whose_moment_passed_while_nothing_ran_is_sent_late_once(smtp, delivery_world):
    # Nothing ran from 31 October (the 7-day moment) until 2 November.
    delivery.run(now=utc(2026, 11, 2, 9))
    assert len(smtp.messages) == 2
    assert all(m["Subject"].strip().startswith(("(late)", "（延迟）")) for m in smtp.messages)
    assert "late" in text_of(by_recipient(smtp.messages)["sam@example.org"])
    assert Delivery.objects.filter(late=True, state="sent").count() == 2


def test_an_alert_when_a_followed_deadline_moves_once_per_reader(smtp, delivery_world):
    deadline = delivery_world["deadline"]
    old = DeadlineChange.objects.create(
        edition=deadline.edition, deadline=deadline, kind="paper", change="moved",
        old_at=utc(2026, 11, 1), new_at=AOE_AT, source="ccf", seen_at=utc(2026, 8, 1),
    )  # fmt: skip
    moved = DeadlineChange.objects.create(
        edition=deadline.edition, deadline=deadline, kind="paper", change="moved",
        old_at=AOE_AT, new_at=utc(2026, 11, 14, 11, 59, 59), source="ccf", seen_at=utc(2026, 9, 20),
    )  # fmt: skip
    delivery.run(now=utc(2026, 9, 20, 1))
    assert len(smtp.messages) == 2
    assert {d.change_id for d in Delivery.objects.filter(kind="alert")} == {moved.pk}  # not the old one
    sam = text_of(by_recipient(smtp.messages)["sam@example.org"])
    assert "Paper moved from 2026-11-07 11:59 UTC to 2026-11-14 11:59 UTC" in sam
    delivery.run(now=utc(2026, 9, 20, 2))
    assert len(smtp.messages) == 2
    assert old.pk not in set(Delivery.objects.values_list("change_id", flat=True))


def test_planning_reads_in_a_fixed_number_of_queries(smtp, delivery_world, django_assert_num_queries):
    for n in range(20):
        user = factories.UserFactory(username=f"reader{n}")
        Follow.objects.create(user=user, series=delivery_world["series"])
    # the reminder days in use; the deadlines with a moment in the last week; the changes of
    # that week; the followers of their series with their preferences; deliveries already
    # planned; one INSERT for the new rows (SQLite and PostgreSQL alike, in one batch).
    with django_assert_num_queries(6):
        delivery.plan(utc(2026, 10, 31, 12, 5))
    assert Delivery.objects.filter(state="pending").count() == 22


def test_an_announced_deadline_replacing_an_estimate_alerts_followers(smtp, delivery_world):
    deadline = delivery_world["deadline"]
    DeadlineChange.objects.create(
        edition=deadline.edition, deadline=deadline, kind="paper", change="announced",
        new_at=AOE_AT, source="hf", seen_at=utc(2026, 9, 20),
    )  # fmt: skip
    delivery.run(now=utc(2026, 9, 20, 1))
    sam = text_of(by_recipient(smtp.messages)["sam@example.org"])
    assert "Paper announced: 2026-11-07 11:59 UTC" in sam


def test_a_weekly_digest_of_new_items_in_followed_topics(smtp, delivery_world):
    nlp = factories.TopicFactory(slug="nlp", name_en="NLP", name_zh="自然语言处理")
    parsing = factories.TopicFactory(slug="parsing", parent=nlp)
    Follow.objects.create(user=delivery_world["sam"], topic=nlp)
    new = factories.PaperFactory(title="A New Parser")
    new.topics.add(parsing)  # a subtopic of the followed topic
    old = factories.PaperFactory(title="An Old Paper")
    old.topics.add(nlp)
    from resources.models import Paper

    Paper.objects.filter(pk=new.pk).update(published_at=utc(2026, 11, 25))  # week of 23 November
    Paper.objects.filter(pk=old.pk).update(published_at=utc(2026, 11, 10))
    delivery.run(now=utc(2026, 12, 1, 9))  # a Tuesday: the digest of 23-29 November
    (digest,) = [m for m in smtp.messages if "new item" in m["Subject"]]
    assert digest["To"] == "sam@example.org"
    assert digest["Subject"] == "1 new item in your topics (week of 2026-11-23)"
    body = text_of(digest)
    assert "A New Parser" in body and "An Old Paper" not in body
    assert "https://portal.example.org/papers/" in body
    assert "/notifications/unsubscribe/" in digest["List-Unsubscribe"]
    delivery.run(now=utc(2026, 12, 3, 9))  # later the same week: nothing more
    assert len([m for m in smtp.messages if "new item" in m["Subject"]]) == 1
    # li follows no topic: no digest.
    assert not [m for m in smtp.messages if m["To"] == "li@example.org" and "new item" in m["Subject"]]


def test_the_command_runs_one_pass(smtp, delivery_world):
    from io import StringIO

    from django.core.management import CommandError, call_command

    out = StringIO()
    call_command("deliver_notifications", "--now", "2026-10-31T12:05:00+00:00", stdout=out)
    assert "sent 2" in out.getvalue()
    with pytest.raises(CommandError, match="UTC offset"):
        call_command("deliver_notifications", "--now", "2026-10-31T12:05:00")


def test_a_reminder_older_than_a_week_is_not_sent(smtp, delivery_world):
    # The first pass after the 30-day moment (8 October) runs on 30 October, before the 7-day one.
    delivery.run(now=utc(2026, 10, 30, 9))
    assert smtp.messages == [] and not Delivery.objects.exists()
    delivery.run(now=utc(2026, 10, 31, 12, 5))  # the 7-day one still comes, on time
    assert len(smtp.messages) == 2
    assert Delivery.objects.filter(key__endswith=":30", state="skipped").count() == 2
