"""URL fields take http and https only, on every path a value can come in by: the model's own
validation, the admin's form and the API's serializer. The fields are found by introspection, so a
new URLField is covered (and must carry ``validate_web_url``) without a change here."""

import pytest
from django.apps import apps
from django.contrib import admin
from django.db import models as django_models
from django.test import RequestFactory
from rest_framework import serializers as drf_serializers

from resources.api import serializers as catalogue_serializers
from tests import factories

pytestmark = pytest.mark.django_db

APPS = ("resources", "accounts", "tutorials")
BAD = [
    "javascript:alert(1)",
    "JavaScript://example.org/%0Aalert(1)",
    " javascript:alert(1)",
    "data:text/html,<script>alert(1)</script>",
    "ftp://example.org/pub/file.pdf",
    "file:///etc/passwd",
    "vbscript:msgbox(1)",
]
GOOD = ["https://example.org/a?b=c#d", "http://example.org/"]


def url_fields() -> list[tuple[type, str]]:
    found = [
        (model, field.name)
        for app in APPS
        for model in apps.get_app_config(app).get_models()
        for field in model._meta.get_fields()
        if isinstance(field, django_models.URLField)
    ]
    return sorted(found, key=lambda pair: (pair[0]._meta.label, pair[1]))


FIELDS = url_fields()
IDS = [f"{model._meta.model_name}.{name}" for model, name in FIELDS]


def test_the_catalogue_has_url_fields():
    assert len(FIELDS) >= 9, IDS


def field_errors_from_model(model, name, value) -> list[str]:
    instance = model(**{name: value})
    others = [f.name for f in model._meta.concrete_fields if f.name != name]
    try:
        instance.clean_fields(exclude=others)
    except Exception as exc:  # ValidationError
        return exc.message_dict.get(name, [])
    return []


@pytest.mark.parametrize(("model", "name"), FIELDS, ids=IDS)
def test_model_validation_refuses_other_schemes(model, name):
    for value in BAD:
        assert field_errors_from_model(model, name, value), f"{model.__name__}.{name} accepted {value!r}"
    for value in GOOD:
        assert field_errors_from_model(model, name, value) == []


@pytest.mark.parametrize(("model", "name"), FIELDS, ids=IDS)
def test_the_admin_form_refuses_other_schemes(model, name):
    model_admin = admin.site._registry[model]
    request = RequestFactory().get("/admin/")
    request.user = factories.UserFactory(username="root", is_staff=True, is_superuser=True)
    form_class = model_admin.get_form(request)
    assert name in form_class.base_fields, f"{name} is not in the admin form of {model.__name__}"
    for value in BAD:
        form = form_class(data={name: value})
        assert name in form.errors, f"the admin form of {model.__name__} accepted {name}={value!r}"
    for value in GOOD:
        assert name not in form_class(data={name: value}).errors


def api_serializers_writing(model, name) -> list[type]:
    found = []
    for candidate in vars(catalogue_serializers).values():
        if not (isinstance(candidate, type) and issubclass(candidate, drf_serializers.ModelSerializer)):
            continue
        if getattr(candidate.Meta, "model", None) is not model:
            continue
        field = candidate().fields.get(name)
        if field is not None and not field.read_only:
            found.append(candidate)
    return found


@pytest.mark.parametrize(("model", "name"), FIELDS, ids=IDS)
def test_the_api_refuses_other_schemes(model, name):
    writers = api_serializers_writing(model, name)
    if model._meta.app_label == "resources" and model.__name__ != "AcceptanceRate":
        assert writers, f"no API serializer writes {model.__name__}.{name}"
    for serializer_class in writers:
        for value in BAD:
            serializer = serializer_class(data={name: value}, partial=True)
            assert not serializer.is_valid()
            assert name in serializer.errors, f"{serializer_class.__name__} accepted {name}={value!r}"
        for value in GOOD:
            serializer = serializer_class(data={name: value}, partial=True)
            serializer.is_valid()
            assert name not in serializer.errors, serializer.errors


def test_the_importers_refuse_other_schemes(tmp_path):
    """The fourth way in: a BibTeX or deadline file with a javascript: address imports nothing."""
    from resources import models
    from resources.importers import bibtex, deadlines

    bib = tmp_path / "evil.bib"
    bib.write_text(
        "@article{evil2020,\n  title = {Evil},\n  author = {Doe, Jane},\n  year = {2020},\n"
        "  url = {javascript:alert(1)},\n}\n"
    )
    report = bibtex.import_paths([bib])
    assert report.failed == 1
    assert not models.Paper.objects.exists()

    yml = tmp_path / "evil.yml"
    yml.write_text(
        "- title: EVILCONF\n  year: 2027\n  id: evilconf27\n  link: javascript:alert(1)\n"
        "  deadlines:\n  - type: submission\n    label: Paper\n    date: '2026-08-28 23:59:59'\n"
        "    timezone: AoE\n"
    )
    report = deadlines.import_paths([yml])
    assert report.failed == 1
    assert not models.ConferenceEdition.objects.exists()


@pytest.mark.parametrize(
    ("stored", "shown"),
    [
        ("https://example.org/a", "https://example.org/a"),
        ("HTTP://example.org/", "HTTP://example.org/"),
        ("javascript:alert(1)", ""),
        (" JavaScript:alert(1)", ""),
        ("data:text/html,<script>alert(1)</script>", ""),
        ("vbscript:msgbox(1)", ""),
        ("//evil.example.org/", ""),
        ("/relative/path", ""),
        ("http://[::1", ""),
        (None, ""),
    ],
)
def test_templates_link_only_web_addresses(stored, shown):
    """The last line: the detail pages pass every stored address through ``web_url``."""
    from resources.templatetags.web_links import web_url

    assert web_url(stored) == shown
