"""Every factory builds a valid row, and every model of the portal's apps has a factory."""

import inspect

import factory
import pytest
from django.apps import apps

from tests import factories

APPS = ["resources", "tutorials", "accounts", "notifications", "paths"]
FACTORIES = [
    cls
    for _name, cls in inspect.getmembers(factories, inspect.isclass)
    if issubclass(cls, factory.django.DjangoModelFactory) and cls is not factory.django.DjangoModelFactory
]


@pytest.mark.django_db
@pytest.mark.parametrize("factory_class", FACTORIES, ids=lambda cls: cls.__name__)
def test_the_factory_builds_a_valid_row(factory_class):
    row = factory_class()
    row.validate_constraints()
    assert type(row).objects.filter(pk=row.pk).exists()


def test_every_model_has_a_factory():
    covered = {f._meta.get_model_class() for f in FACTORIES}
    missing = [
        f"{model._meta.app_label}.{model.__name__}"
        for app in APPS
        for model in apps.get_app_config(app).get_models()
        if model not in covered
    ]
    assert not missing, f"models without a factory in tests/factories.py: {missing}"
