"""docker-compose.yml checked structurally: no Docker engine runs on CI's machines."""

import re
from pathlib import Path

import yaml

from portal import env

ROOT = Path(__file__).resolve().parent.parent
COMPOSE = yaml.safe_load((ROOT / "docker-compose.yml").read_text())
SERVICES = COMPOSE["services"]
# Variables of images we do not build (postgres, flower) are theirs, not ours.
OWN_SERVICES = {"web", "worker", "beat"}


def test_services_present():
    assert {"postgres", "redis", "web", "worker", "beat", "flower"} <= set(SERVICES)
    assert SERVICES["flower"]["profiles"] == ["monitoring"]
    assert int(SERVICES["postgres"]["image"].split(":")[1]) >= 15
    assert SERVICES["redis"]["image"].split(":")[1].startswith("7")


def test_every_service_has_a_healthcheck():
    for name, service in SERVICES.items():
        assert service.get("healthcheck", {}).get("test"), f"{name} has no healthcheck"


def test_database_is_on_a_named_volume():
    volumes = SERVICES["postgres"]["volumes"]
    named = [v.split(":")[0] for v in volumes]
    assert "pgdata" in named and "pgdata" in COMPOSE["volumes"]


def test_web_and_worker_build_from_the_dockerfile():
    for name in OWN_SERVICES:
        assert SERVICES[name]["build"] == ".", name
    assert (ROOT / "Dockerfile").is_file()
    web = SERVICES["web"]["command"]
    assert "migrate" in web and "collectstatic" in web and "gunicorn" in web
    assert "celery" in " ".join(SERVICES["worker"]["command"])
    assert "whitenoise.middleware.WhiteNoiseMiddleware" in (ROOT / "portal/settings.py").read_text()


def test_every_variable_set_is_one_the_settings_read():
    import portal.settings  # noqa: F401  (populates env.READ)

    for name in OWN_SERVICES:
        for variable in SERVICES[name]["environment"]:
            assert variable in env.READ, f"{name} sets {variable}, which the settings never read"


def test_services_depend_on_healthy_backends():
    for name in OWN_SERVICES:
        depends = SERVICES[name]["depends_on"]
        assert depends["postgres"]["condition"] == depends["redis"]["condition"] == "service_healthy"


def test_worker_consumes_the_queues_the_settings_route_to():
    from django.conf import settings

    queues = next(a for a in SERVICES["worker"]["command"] if a.startswith("--queues="))
    assert set(re.sub("^--queues=", "", queues).split(",")) >= set(settings.CELERY_WORKER_QUEUES)
