"""A delivery pass SIGKILLed in the middle of a batch, in a real process on this test run's
database: after the next pass, every reader has their reminder exactly once, counted at a real
SMTP server.

The server holds the tenth message before accepting it until the pass that sends it has been
killed, then refuses it (a server never keeps a message whose sender vanished before the final
reply): so the kill falls, every time, after nine messages went out and while the tenth was in
flight, with the other claimed and planned rows untouched.
"""

import asyncio
import datetime as dt
import os
import signal
import subprocess
import sys
import threading

import pytest
from aiosmtpd.controller import Controller

from notifications import delivery
from notifications.models import Delivery, Follow
from tests import factories
from tests.processes import ROOT, database_url_for, free_port

pytestmark = pytest.mark.django_db(transaction=True)

READERS = 30
NOW = dt.datetime(2026, 10, 31, 12, 5, tzinfo=dt.UTC)


class HoldingInbox:
    """Accepts messages; holds the ``hold_at``-th until ``release`` is set, then refuses it."""

    def __init__(self, hold_at: int):
        self.accepted: list[str] = []
        self.seen = 0
        self.hold_at = hold_at
        self.holding = threading.Event()
        self.release = threading.Event()

    async def handle_DATA(self, server, session, envelope):
        self.seen += 1
        if self.seen == self.hold_at:
            self.holding.set()
            while not self.release.is_set():
                await asyncio.sleep(0.05)
            return "451 4.3.0 sender went away; not kept"
        self.accepted.extend(envelope.rcpt_tos)
        return "250 OK"


def test_a_pass_killed_mid_batch_loses_and_repeats_nothing(settings):
    series = factories.ConferenceSeriesFactory(short_name="KillConf", slug="killconf")
    edition = factories.ConferenceEditionFactory(series=series, year=2027)
    factories.DeadlineFactory(
        edition=edition, kind="paper", label="", at=dt.datetime(2026, 11, 7, 11, 59, tzinfo=dt.UTC)
    )
    for n in range(READERS):
        Follow.objects.create(user=factories.UserFactory(username=f"reader{n:02d}"), series=series)
    Follow.objects.update(created_at=dt.datetime(2026, 9, 1, tzinfo=dt.UTC))

    inbox = HoldingInbox(hold_at=10)
    port = free_port()
    controller = Controller(inbox, hostname="127.0.0.1", port=port)
    controller.start()
    from django.db import connection

    env = dict(os.environ)
    env.update(
        DJANGO_SETTINGS_MODULE="portal.test_settings",
        DATABASE_URL=database_url_for(connection.settings_dict),
        EMAIL_HOST="127.0.0.1",
        EMAIL_PORT=str(port),
        EMAIL_USE_TLS="0",
        EMAIL_HOST_USER="",
        EMAIL_HOST_PASSWORD="",
        SITE_URL="https://portal.example.org",
        PYTHONUNBUFFERED="1",
    )
    proc = subprocess.Popen(
        [sys.executable, "manage.py", "deliver_notifications", "--now", NOW.isoformat()],
        cwd=ROOT,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )
    try:
        held = inbox.holding.wait(120)
        assert held, proc.stdout.read().decode() if proc.poll() is not None else "no 10th message in 120 s"
        os.killpg(proc.pid, signal.SIGKILL)
        proc.wait(10)
    finally:
        inbox.release.set()
        if proc.poll() is None:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait(10)
    assert proc.returncode == -signal.SIGKILL
    assert len(inbox.accepted) == 9
    states = dict.fromkeys(Delivery.State.values, 0)
    for state in Delivery.objects.values_list("state", flat=True):
        states[state] += 1
    assert (states["sent"], states["sending"], states["pending"]) == (9, 1, READERS - 10)

    # The next pass, once the dead pass's lease is over, sends the rest: each reader once.
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT, settings.EMAIL_USE_TLS = "127.0.0.1", port, False
    settings.EMAIL_HOST_USER = settings.EMAIL_HOST_PASSWORD = ""
    try:
        outcome = delivery.run(now=NOW + delivery.LEASE + dt.timedelta(minutes=1))
    finally:
        controller.stop()
    assert outcome["sent"] == READERS - 9
    assert sorted(inbox.accepted) == sorted(f"reader{n:02d}@example.org" for n in range(READERS))
    assert Delivery.objects.filter(state="sent").count() == READERS


class CountingInbox:
    def __init__(self):
        self.accepted: list[str] = []

    async def handle_DATA(self, server, session, envelope):
        await asyncio.sleep(0.01)  # a little time per message, so that the two passes overlap
        self.accepted.extend(envelope.rcpt_tos)
        return "250 OK"


def test_two_passes_started_at_once_send_each_message_once():
    series = factories.ConferenceSeriesFactory(short_name="TwinConf", slug="twinconf")
    edition = factories.ConferenceEditionFactory(series=series, year=2027)
    factories.DeadlineFactory(
        edition=edition, kind="paper", label="", at=dt.datetime(2026, 11, 7, 11, 59, tzinfo=dt.UTC)
    )
    for n in range(READERS):
        Follow.objects.create(user=factories.UserFactory(username=f"twin{n:02d}"), series=series)
    Follow.objects.update(created_at=dt.datetime(2026, 9, 1, tzinfo=dt.UTC))
    inbox = CountingInbox()
    port = free_port()
    controller = Controller(inbox, hostname="127.0.0.1", port=port)
    controller.start()
    from django.db import connection

    env = dict(os.environ)
    env.update(
        DJANGO_SETTINGS_MODULE="portal.test_settings",
        DATABASE_URL=database_url_for(connection.settings_dict),
        EMAIL_HOST="127.0.0.1",
        EMAIL_PORT=str(port),
        EMAIL_USE_TLS="0",
        SITE_URL="https://portal.example.org",
    )
    command = [sys.executable, "manage.py", "deliver_notifications", "--now", NOW.isoformat()]
    try:
        passes = [
            subprocess.Popen(command, cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
            for _ in range(2)
        ]
        outputs = [p.communicate(timeout=180)[0].decode() for p in passes]
    finally:
        controller.stop()
    assert [p.returncode for p in passes] == [0, 0], outputs
    assert sorted(inbox.accepted) == sorted(f"twin{n:02d}@example.org" for n in range(READERS))
    assert Delivery.objects.filter(state="sent").count() == READERS
