"""Settings read from the environment: good values, bad values, and a missing secret."""

import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.core.exceptions import ImproperlyConfigured

from portal import env

ROOT = Path(__file__).resolve().parent.parent


@pytest.mark.parametrize(
    ("raw", "expected"), [("1", True), ("true", True), ("Yes", True), ("0", False), ("off", False)]
)
def test_bool_values(monkeypatch, raw, expected):
    monkeypatch.setenv("SOME_FLAG", raw)
    assert env.get_bool("SOME_FLAG") is expected


@pytest.mark.parametrize(
    ("helper", "raw"),
    [
        (lambda: env.get_bool("SOME_FLAG"), "maybe"),
        (lambda: env.get_int("SOME_FLAG", 1), "ten"),
        (lambda: env.get_int("SOME_FLAG", 1, minimum=0), "-1"),
        (lambda: env.get_database("SOME_FLAG", "sqlite:///x"), "mysql://db/x"),
        (lambda: env.get_database("SOME_FLAG", "sqlite:///x"), "postgres://host:5432/"),
        (lambda: env.get_cache("SOME_FLAG", "locmem://"), "memcached://x"),
        (lambda: env.get_broker("SOME_FLAG", Path("/tmp")), "amqp://guest@localhost//"),
        (lambda: env.get_choice("SOME_FLAG", "INFO", ("INFO", "DEBUG")), "LOUD"),
    ],
)
def test_malformed_values_name_the_variable(monkeypatch, helper, raw):
    monkeypatch.setenv("SOME_FLAG", raw)
    with pytest.raises(ImproperlyConfigured, match="SOME_FLAG"):
        helper()


def test_database_urls(monkeypatch):
    monkeypatch.setenv("DB", "postgres://portal:pw@db.example:6543/catalogue")
    config = env.get_database("DB", "sqlite:///unused")
    assert config["ENGINE"] == "django.db.backends.postgresql"
    assert (config["HOST"], config["PORT"], config["NAME"], config["USER"]) == (
        "db.example",
        6543,
        "catalogue",
        "portal",
    )
    monkeypatch.delenv("DB")
    assert env.get_database("DB", "sqlite:////tmp/a.sqlite3")["NAME"] == "/tmp/a.sqlite3"


def test_filesystem_broker_folder(monkeypatch, tmp_path):
    monkeypatch.setenv("BROKER", f"filesystem://{tmp_path}")
    url, options = env.get_broker("BROKER", Path("/unused"))
    assert url == "filesystem://"
    assert options["data_folder_in"] == options["data_folder_out"] == str(tmp_path / "queue")
    assert (tmp_path / "queue").is_dir()


def test_redis_cache(monkeypatch):
    monkeypatch.setenv("CACHE", "redis://127.0.0.1:6379/3")
    config = env.get_cache("CACHE", "locmem://")
    assert config["BACKEND"] == "portal.cache.ResilientRedisCache"
    assert config["LOCATION"] == "redis://127.0.0.1:6379/3"


def _start(extra_env: dict) -> subprocess.CompletedProcess:
    clean = {
        k: v for k, v in os.environ.items() if k not in {"SECRET_KEY", "DEBUG", "DJANGO_SETTINGS_MODULE"}
    }
    return subprocess.run(
        [sys.executable, "manage.py", "check"],
        cwd=ROOT,
        env={**clean, **extra_env},
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_start_without_secret_key_fails_clearly():
    result = _start({})
    assert result.returncode != 0
    assert "SECRET_KEY is not set" in result.stderr
    assert "Traceback" in result.stderr  # Django's own start-up error, with our message last
    assert result.stderr.strip().splitlines()[-1].startswith("django.core.exceptions.ImproperlyConfigured")


def test_start_with_debug_needs_no_secret_key():
    result = _start({"DEBUG": "1"})
    assert result.returncode == 0, result.stderr
    assert "no issues" in result.stdout


def test_start_with_malformed_variable_names_it():
    result = _start({"DEBUG": "1", "CONN_MAX_AGE": "forever"})
    assert result.returncode != 0
    assert "CONN_MAX_AGE='forever' is not a whole number" in result.stderr


def test_deploy_check_is_clean_with_production_like_variables():
    result = subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        cwd=ROOT,
        env={
            **{
                k: v
                for k, v in os.environ.items()
                if k not in {"DEBUG", "DJANGO_SETTINGS_MODULE", "SECURE_SSL_REDIRECT", "SECRET_KEY"}
            },
            "SECRET_KEY": "a-production-like-secret-key-" + "x7Qp2LmZ9vRt4Kw8" * 3,
            "ALLOWED_HOSTS": "portal.example.org",
        },
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stderr
    assert "no issues" in result.stdout
