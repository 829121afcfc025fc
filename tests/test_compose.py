"""docker-compose.yml checked structurally: no Docker engine runs on CI's machines.

The file is validated against the Compose specification's JSON schema, vendored under
tests/data/compose-spec/ (compose_spec.json from the docker-compose 1.29.2 wheel on PyPI,
Apache-2.0, LICENSE beside it), then checked for what the portal needs of each service.
"""

import copy
import json
import re
from pathlib import Path

import jsonschema
import pytest
import yaml

from portal import env

ROOT = Path(__file__).resolve().parent.parent
COMPOSE = yaml.safe_load((ROOT / "docker-compose.yml").read_text())
SERVICES = COMPOSE["services"]
# Variables of images we do not build (postgres, flower, prometheus) are theirs, not ours.
OWN_SERVICES = {"web", "worker", "trainer", "trainer-gpu", "beat"}
CELERY_SERVICES = {"worker", "trainer", "trainer-gpu"}
SCHEMA = json.loads((ROOT / "tests/data/compose-spec/compose_spec.json").read_text())


def test_the_file_follows_the_compose_specification():
    jsonschema.Draft201909Validator(SCHEMA).validate(COMPOSE)


@pytest.mark.parametrize(
    "breakage",
    [
        lambda c: c["services"]["trainer"].update(comand=["celery"]),
        lambda c: c["services"]["trainer-gpu"]["deploy"]["resources"]["reservations"].update(devices="gpu"),
        lambda c: c["services"]["flower"].update(profiles="monitoring"),
    ],
    ids=["misspelt key", "devices not a list", "profiles not a list"],
)
def test_the_schema_check_catches_a_broken_file(breakage):
    broken = copy.deepcopy(COMPOSE)
    breakage(broken)
    with pytest.raises(jsonschema.ValidationError):
        jsonschema.Draft201909Validator(SCHEMA).validate(broken)


def queues_of(service: str) -> set[str]:
    command = SERVICES[service]["command"]
    assert "worker" in command, f"{service} is not a celery worker"
    (queues,) = [a for a in command if a.startswith("--queues=")]
    return set(re.sub("^--queues=", "", queues).split(","))


def option(service: str, name: str) -> str | None:
    values = [a.split("=", 1)[1] for a in SERVICES[service]["command"] if a.startswith(f"--{name}=")]
    return values[0] if values else None


def test_each_worker_service_consumes_its_own_queues():
    from django.conf import settings

    assert queues_of("worker") == {settings.CELERY_TASK_DEFAULT_QUEUE}
    assert queues_of("trainer") == {settings.TRAINING_QUEUE}
    assert queues_of("trainer-gpu") == {settings.TRAINING_GPU_QUEUE}


def test_trainers_take_one_run_at_a_time_and_scale():
    from django.conf import settings

    for name in ("trainer", "trainer-gpu"):
        assert option(name, "concurrency") == "1", name
        assert option(name, "prefetch-multiplier") == "1", name
        # --scale needs containers without a fixed name or host port.
        assert "container_name" not in SERVICES[name] and "ports" not in SERVICES[name], name
    assert settings.CELERY_TASK_ACKS_LATE and settings.CELERY_WORKER_PREFETCH_MULTIPLIER == 1
    assert "profiles" not in SERVICES["trainer"]  # part of the default stack


def test_gpu_trainer_is_a_profile_with_an_nvidia_reservation():
    gpu = SERVICES["trainer-gpu"]
    assert gpu["profiles"] == ["gpu"]
    (device,) = gpu["deploy"]["resources"]["reservations"]["devices"]
    assert device["driver"] == "nvidia" and "gpu" in device["capabilities"]
    # The web learns from this variable that GPU trainers run, and routes to them.
    assert "TRAINING_GPU_TRAINERS" in SERVICES["web"]["environment"]


def test_monitoring_profile_adds_prometheus_with_a_scrape_config():
    prometheus = SERVICES["prometheus"]
    assert prometheus["profiles"] == SERVICES["flower"]["profiles"] == ["monitoring"]
    assert prometheus["healthcheck"]["test"]
    mounts = {v.split(":")[1]: v.split(":")[0] for v in prometheus["volumes"] if v.startswith("./")}
    config_path = ROOT / mounts["/etc/prometheus/prometheus.yml"]
    config = yaml.safe_load(config_path.read_text())
    (job,) = config["scrape_configs"]
    assert job["metrics_path"] == "/metrics"
    assert job["static_configs"][0]["targets"] == ["web:8000"]
    # The endpoint wants the bearer token that the web service is given.
    assert job["authorization"]["type"] == "Bearer"
    assert job["authorization"]["credentials_file"] in " ".join(prometheus["command"])
    assert "METRICS_TOKEN" in SERVICES["web"]["environment"]
    assert "METRICS_TOKEN" in prometheus["environment"]


def test_services_present():
    assert {"postgres", "redis", "web", "worker", "trainer", "beat", "flower", "prometheus"} <= set(SERVICES)
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
    for name in OWN_SERVICES - {"trainer-gpu"}:
        assert SERVICES[name]["build"] == ".", name
    # The GPU trainer: the same Dockerfile, with torch from a CUDA index instead of the CPU one.
    gpu_build = SERVICES["trainer-gpu"]["build"]
    assert gpu_build["context"] == "." and "whl/cu" in gpu_build["args"]["TORCH_INDEX_URL"]
    assert "ARG TORCH_INDEX_URL" in (ROOT / "Dockerfile").read_text()
    assert SERVICES["trainer-gpu"]["image"] != SERVICES["trainer"]["image"]
    assert (ROOT / "Dockerfile").is_file()
    web = SERVICES["web"]["command"]
    assert "migrate" in web and "collectstatic" in web and "gunicorn" in web
    for name in CELERY_SERVICES:
        assert "celery" in " ".join(SERVICES[name]["command"]), name
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


def test_every_queue_the_settings_route_to_has_a_consumer():
    from django.conf import settings

    consumed = set().union(*(queues_of(name) for name in CELERY_SERVICES))
    routed = {route["queue"] for route in settings.CELERY_TASK_ROUTES.values()}
    assert consumed >= set(settings.CELERY_WORKER_QUEUES) | routed


@pytest.mark.parametrize("gpu_trainers", [False, True])
def test_make_run_starts_one_process_of_each_kind_on_the_same_queues(settings, gpu_trainers):
    from portal.management.commands.serve import processes

    settings.TRAINING_GPU_TRAINERS = gpu_trainers
    commands = processes("127.0.0.1:8000", 1)
    assert set(commands) == {"web", "worker", "trainer"}

    def queues(argv):
        (flag,) = [a for a in argv if a.startswith("--queues=")]
        return set(flag.removeprefix("--queues=").split(","))

    assert queues(commands["worker"]) == queues_of("worker")
    expected = queues_of("trainer") | (queues_of("trainer-gpu") if gpu_trainers else set())
    assert queues(commands["trainer"]) == expected
    assert "--prefetch-multiplier=1" in commands["trainer"] and "--beat" not in commands["trainer"]
