"""Mass assignment: read-only fields sent to any writable API endpoint are ignored.

The operations come from the OpenAPI schema (``api_ops``); each has a case below, and a new one
fails ``test_every_writable_operation_has_a_case`` until it gets one. For each operation the
request carries a valid body plus a forged value for every model column the request schema does
not offer (id, owner/user, status, step, metrics, final_metrics, device, created_at, started_at,
share_token, ...); the stored row must keep none of the forged values.
"""

import datetime as dt
import decimal
import uuid
from dataclasses import dataclass, field

import pytest
from django.contrib.auth import get_user_model
from django.contrib.contenttypes.models import ContentType
from django.db import models as django_models

from accounts.models import Bookmark
from notifications.models import Follow
from paths.models import LearningPath, Step, StepProgress
from resources import models
from tests import factories
from tests.helpers import api_client_for
from tests.security import api_ops
from tutorials.models import TrainingRun

pytestmark = pytest.mark.django_db

FORGED_ID = 987654
FORGED_UUID = uuid.UUID("00000000-0000-4000-8000-000000000042")
FORGED_INSTANT = dt.datetime(2001, 2, 3, 4, 5, 6, tzinfo=dt.UTC)
#: Columns no client can name (kept by triggers) and columns every save changes by design.
NEVER_SENT = {"search_vector"}
CHANGES_ON_SAVE = {"updated_at"}


@dataclass
class Case:
    model: type
    payload: dict
    #: Builds the existing row an update acts on; None for a create.
    existing: object = None
    user: str = "staff"
    #: Columns the operation itself changes: compared with the forgery only, not with the old row.
    sets: set = field(default_factory=set)
    #: Columns the operation sets to the very value a forgery would pick (a cancel sets its flag).
    unchecked: set = field(default_factory=set)


def catalogue_cases(name, model, create, update, make, **operation_sets):
    return {
        f"{name}_create": Case(model, create, **operation_sets),
        f"{name}_update": Case(model, {**create, **update}, existing=make, **operation_sets),
        f"{name}_partial_update": Case(model, update, existing=make, **operation_sets),
    }


def _step(slug: str) -> Step:
    learning_path = LearningPath.objects.create(slug=slug, title_en=slug, status="published")
    return Step.objects.create(path=learning_path, position=1, paper=factories.PaperFactory())


def _edition():
    return factories.ConferenceEditionFactory(year=2020)


CASES = {
    **catalogue_cases(
        "topics", models.Topic, {"slug": "mass", "name_en": "Mass"}, {"name_en": "Renamed"},
        lambda: factories.TopicFactory(slug="old"),
    ),
    **catalogue_cases(
        "conferences", models.ConferenceSeries, {"short_name": "MASS", "slug": "mass"},
        {"full_name": "Renamed"}, lambda: factories.ConferenceSeriesFactory(short_name="OLD", slug="old"),
    ),
    **catalogue_cases(
        "editions", models.ConferenceEdition, {"series": "ed-series", "year": 2030, "ccf_id": ""},
        {"city": "Renamed"}, _edition,
    ),
    **catalogue_cases(
        "deadlines", models.Deadline, {"edition": "EDITION", "kind": "paper", "label": "Mass"},
        {"comment": "Renamed"}, lambda: factories.DeadlineFactory(),
        # A deadline written through the API is the curator's (resources/curation.py).
        sets={"curator_edited"}, unchecked={"curator_edited"},
    ),
    **catalogue_cases(
        "courses", models.Course, {"title": "Mass", "provider": "P", "url": "https://example.org/c"},
        {"duration": "Renamed"}, lambda: factories.CourseFactory(),
    ),
    **catalogue_cases(
        "books", models.Book, {"title": "Mass", "authors": ["A. Author"]}, {"publisher": "Renamed"},
        lambda: factories.BookFactory(),
    ),
    **catalogue_cases(
        "papers", models.Paper, {"title": "Mass", "authors": ["A. Author"]}, {"venue": "Renamed"},
        lambda: factories.PaperFactory(),
    ),
    **catalogue_cases(
        "communities", models.Community, {"name": "Mass", "kind": "forum", "url": "https://example.org/f"},
        {"language": "zh"}, lambda: factories.CommunityFactory(),
    ),
    "bookmarks_create": Case(Bookmark, {"type": "paper", "id": "PAPER", "note": "mine"}, user="alice"),
    "follows_create": Case(Follow, {"kind": "series", "slug": "ed-series"}, user="alice"),
    "bookmarks_partial_update": Case(
        Bookmark, {"note": "changed"}, user="alice",
        existing=lambda: Bookmark.objects.create(
            user=get_user_model().objects.get(username="alice"),
            content_type=ContentType.objects.get_for_model(models.Paper),
            object_id=factories.PaperFactory().pk,
        ),
    ),
    **catalogue_cases(
        "paths", LearningPath, {"slug": "mass", "title_en": "Mass"}, {"title_zh": "改名"},
        lambda: LearningPath.objects.create(slug="old", title_en="Old", status="published"),
    ),
    "progress_create": Case(StepProgress, {"step": "STEP", "state": "done", "note": "mine"}, user="alice"),
    "progress_partial_update": Case(
        StepProgress, {"state": "skipped", "note": "changed"}, user="alice",
        existing=lambda: StepProgress.objects.create(
            user=get_user_model().objects.get(username="alice"), step=_step("progress-existing"),
        ),
        sets={"state", "note"},
    ),
    "runs_create": Case(TrainingRun, {"demo": "mlp_digits", "params": {"epochs": 1}}, user="alice"),
    "runs_cancel_create": Case(
        TrainingRun, {}, user="alice",
        existing=lambda: factories.TrainingRunFactory(
            owner=get_user_model().objects.get(username="alice"), demo="mlp_digits", params={}
        ),
        sets={"status", "finished_at", "error"},
        unchecked={"cancel_requested"},
    ),
}  # fmt: skip
#: Operations without a body: nothing to assign (their access rules are tested elsewhere).
NO_BODY = {op for op, (method, _path) in api_ops.write_operations().items() if method == "DELETE"}


def forged_value(column, mallory, current=None):
    """A plausible value of the column's type that differs from what the server would store
    (and from ``current``, the row's value before an update)."""
    if column.primary_key:
        return str(FORGED_UUID) if isinstance(column, django_models.UUIDField) else FORGED_ID
    if column.is_relation:
        if column.related_model is get_user_model():
            return mallory.pk
        if column.related_model is ContentType:
            return ContentType.objects.get_for_model(get_user_model()).pk
        return FORGED_ID
    if column.choices:
        avoid = column.default if current is None else current
        return next(v for v, _label in column.choices if v not in ("", avoid))
    if isinstance(column, django_models.BooleanField):
        return not (column.default if current is None else current)
    if isinstance(column, django_models.DateTimeField):
        return FORGED_INSTANT.isoformat().replace("+00:00", "Z")
    if isinstance(column, django_models.DateField):
        return "2001-02-03"
    if isinstance(column, django_models.DecimalField):
        return "0.4242"
    if isinstance(column, django_models.FloatField):
        return 0.42
    if isinstance(column, django_models.IntegerField):
        return 77
    if isinstance(column, django_models.JSONField):
        return {"forged": True}
    if isinstance(column, django_models.UUIDField):
        return str(FORGED_UUID)
    return "forged-value"[: column.max_length or None]


def stored_matches_forgery(column, stored, forged) -> bool:
    if isinstance(stored, dt.datetime):
        return stored == FORGED_INSTANT
    if isinstance(stored, dt.date):
        return stored.isoformat() == forged
    if isinstance(stored, decimal.Decimal):
        return stored == decimal.Decimal(forged)
    if isinstance(stored, uuid.UUID):
        return str(stored) == forged
    return stored == forged


#: Columns only the server writes: no request schema may offer them.
SERVER_OWNED = {
    "id", "created_at", "updated_at", "published_at", "status", "owner", "user", "progress", "step",
    "total_steps", "epoch", "metrics", "samples", "final_metrics", "results", "device", "error",
    "share_token", "cancel_requested", "attempts", "worker", "task_id", "started_at", "heartbeat_at",
    "finished_at", "content_type", "object_id", "search_vector",
}  # fmt: skip
#: Where a request field shares a name with a server-owned column but means something else.
SAME_NAME_OTHER_MEANING = {
    ("bookmarks_create", "id"),  # the bookmarked item's id, not the bookmark's
    ("progress_create", "step"),  # the path's step the progress is about, not a run's step counter
}


@pytest.mark.parametrize("operation_id", sorted(CASES))
def test_no_request_schema_offers_a_server_owned_field(operation_id):
    """Otherwise making, say, ``status`` writable would put it in the schema and out of the forgery."""
    offered = {(operation_id, name) for name in api_ops.request_fields(operation_id) & SERVER_OWNED}
    assert offered - SAME_NAME_OTHER_MEANING == set()


def test_every_writable_operation_has_a_case():
    operations = set(api_ops.write_operations())
    assert operations - NO_BODY - set(CASES) == set(), "a writable API operation has no mass-assignment case"
    assert set(CASES) - operations == set(), "a case names an operation the API no longer has"


@pytest.mark.parametrize("operation_id", sorted(CASES))
def test_read_only_fields_are_not_assigned(operation_id, alice, mallory):
    case = CASES[operation_id]
    method, path = api_ops.write_operations()[operation_id]
    staff = factories.UserFactory(username="staff", is_staff=True)
    factories.ConferenceSeriesFactory(short_name="EDS", slug="ed-series")
    edition = factories.ConferenceEditionFactory(year=2031, ccf_id="eds31")
    paper = factories.PaperFactory()
    step = _step("mass-step")
    stand_ins = {"EDITION": edition.pk, "PAPER": paper.pk, "STEP": step.pk}
    payload = {
        key: stand_ins.get(value, value) if isinstance(value, str) else value
        for key, value in case.payload.items()
    }
    existing = case.existing() if case.existing else None
    before = {}
    if existing is not None:
        existing.refresh_from_db()
        before = {c.attname: getattr(existing, c.attname) for c in case.model._meta.concrete_fields}
        key = "slug" if "{slug}" in path else "id"
        path = path.replace("{" + key + "}", str(getattr(existing, "slug" if key == "slug" else "pk")))

    offered = api_ops.request_fields(operation_id)
    forged = {
        column.name: forged_value(column, mallory, before.get(column.attname))
        for column in case.model._meta.concrete_fields
        if column.name not in offered and column.name not in NEVER_SENT
    }
    assert forged, "nothing to forge"
    client = api_client_for(staff if case.user == "staff" else alice)
    response = client.generic(
        method, path, data=_json({**forged, **payload}), content_type="application/json"
    )
    assert response.status_code in (200, 201), response.content

    pk = existing.pk if existing is not None else response.json().get("id")
    row = (
        case.model.objects.get(pk=pk)
        if pk is not None
        else case.model.objects.get(slug=response.json()["slug"])
    )
    for name, value in forged.items():
        if name in case.unchecked:
            continue
        column = case.model._meta.get_field(name)
        stored = getattr(row, column.attname)
        assert not stored_matches_forgery(column, stored, value), f"{name} took the forged value {value!r}"
        if existing is not None and name not in CHANGES_ON_SAVE | case.sets:
            assert stored == before[column.attname], f"{name} changed from {before[column.attname]!r}"
    if case.model is TrainingRun:
        assert row.owner == alice
    if case.model in (Bookmark, StepProgress):
        assert row.user == alice


def _json(data) -> str:
    import json

    return json.dumps(data)
