"""Helpers of the property tests: a snapshot of the catalogue, a per-example rollback, a curator."""

from contextlib import contextmanager

import pytest
from django.apps import apps
from django.contrib.auth.models import Permission
from django.db import transaction

from tests import factories


def catalogue_snapshot() -> dict[str, list[tuple]]:
    """Every row of every table of the catalogue app (many-to-many tables included), sorted."""
    tables = {}
    for model in apps.get_app_config("resources").get_models(include_auto_created=True):
        tables[model._meta.db_table] = sorted(map(repr, model._default_manager.values_list()))
    return tables


def row_counts(snapshot: dict[str, list]) -> dict[str, int]:
    return {table: len(rows) for table, rows in snapshot.items()}


@contextmanager
def rolled_back():
    """Run one generated example inside a savepoint and undo it, so every example starts alike."""
    savepoint = transaction.savepoint()
    try:
        yield
    finally:
        transaction.savepoint_rollback(savepoint)


@pytest.fixture
def curator_client(client, db, settings, tmp_path):
    """A staff user holding every permission of the catalogue, signed in; uploads staged in tmp."""
    settings.VAR_DIR = tmp_path
    curator = factories.UserFactory(username="fuzz-curator", is_staff=True)
    curator.user_permissions.set(Permission.objects.filter(content_type__app_label="resources"))
    client.force_login(curator)
    return client
