"""Every operation of the OpenAPI schema × anonymous / user / staff: the status each one gets.

The operations come from the generated schema, so a new endpoint or method fails
``test_the_matrix_covers_every_operation_of_the_schema`` until its row is written here. Rows for
per-user objects (runs, bookmarks, progress) are asked about an object of a *fourth* user, "owner": only
the owner may see a private run or a bookmark, so user and staff alike get 404 — never 403.
The owner's own access is the ``owner`` column.
"""

import pytest
from drf_spectacular.generators import SchemaGenerator

from accounts import services as accounts_services
from accounts.models import Bookmark
from notifications.models import Follow
from paths.models import LearningPath, Step, StepProgress
from resources.models import DeadlineChange
from tests import factories
from tests.api.endpoints import RESOURCES
from tests.helpers import api_client_for
from tutorials.models import TrainingRun

pytestmark = pytest.mark.django_db

ROLES = ("anonymous", "user", "staff", "owner")
CATALOGUE = tuple(RESOURCES)
READ = {"anonymous": 200, "user": 200, "staff": 200, "owner": 200}
CATALOGUE_WRITE = {"post": 201, "put": 200, "patch": 200, "delete": 204}


def _matrix() -> dict:
    rows = {}
    for name in CATALOGUE:
        lookup = "{id}" if RESOURCES[name][2] == "pk" else "{slug}"
        rows[(f"/api/v1/{name}/", "get")] = READ
        rows[(f"/api/v1/{name}/{lookup}/", "get")] = READ
        rows[(f"/api/v1/{name}/", "post")] = {"anonymous": 401, "user": 403, "owner": 403, "staff": 201}
        for method in ("put", "patch", "delete"):
            expected = CATALOGUE_WRITE[method]
            rows[(f"/api/v1/{name}/{lookup}/", method)] = {
                "anonymous": 401,
                "user": 403,
                "owner": 403,
                "staff": expected,
            }
    rows[("/api/v1/search/", "get")] = READ
    # Related items of a catalogue item or a tutorial, and a signed-in reader's recommendations.
    for name in ("papers", "books", "courses", "communities", "tutorials"):
        rows[(f"/api/v1/{name}/{{slug}}/similar/", "get")] = READ
    rows[("/api/v1/recommendations/", "get")] = {"anonymous": 401, "user": 200, "staff": 200, "owner": 200}
    # The history of deadlines is a read-only record.
    rows[("/api/v1/deadline-changes/", "get")] = READ
    rows[("/api/v1/deadline-changes/{id}/", "get")] = READ
    rows[("/api/v1/expected-deadlines/", "get")] = READ
    rows[("/api/v1/tutorials/", "get")] = READ
    rows[("/api/v1/tutorials/{slug}/", "get")] = READ
    # Runs: lists are open (public runs, and one's own); the private run of "owner" is theirs alone.
    rows[("/api/v1/runs/", "get")] = READ
    rows[("/api/v1/runs/", "post")] = {"anonymous": 401, "user": 201, "staff": 201, "owner": 201}
    rows[("/api/v1/runs/{id}/", "get")] = {"anonymous": 404, "user": 404, "staff": 404, "owner": 200}
    rows[("/api/v1/runs/{id}/cancel/", "post")] = {"anonymous": 401, "user": 404, "staff": 404, "owner": 200}
    # Bookmarks: signed-in users only, each their own.
    rows[("/api/v1/bookmarks/", "get")] = {"anonymous": 401, "user": 200, "staff": 200, "owner": 200}
    rows[("/api/v1/bookmarks/", "post")] = {"anonymous": 401, "user": 201, "staff": 201, "owner": 201}
    for method, ok in (("get", 200), ("patch", 200), ("delete", 204)):
        rows[("/api/v1/bookmarks/{id}/", method)] = {"anonymous": 401, "user": 404, "staff": 404, "owner": ok}
    # Follows: signed-in users only, each their own.
    rows[("/api/v1/follows/", "get")] = {"anonymous": 401, "user": 200, "staff": 200, "owner": 200}
    rows[("/api/v1/follows/", "post")] = {"anonymous": 401, "user": 201, "staff": 201, "owner": 200}
    for method, ok in (("get", 200), ("delete", 204)):
        rows[("/api/v1/follows/{id}/", method)] = {"anonymous": 401, "user": 404, "staff": 404, "owner": ok}
    # Learning paths are curated like the catalogue; progress is each signed-in user's own.
    rows[("/api/v1/paths/", "get")] = READ
    rows[("/api/v1/paths/{slug}/", "get")] = READ
    rows[("/api/v1/paths/", "post")] = {"anonymous": 401, "user": 403, "owner": 403, "staff": 201}
    for method in ("put", "patch", "delete"):
        rows[("/api/v1/paths/{slug}/", method)] = {
            "anonymous": 401, "user": 403, "owner": 403, "staff": CATALOGUE_WRITE[method],
        }  # fmt: skip
    rows[("/api/v1/progress/", "get")] = {"anonymous": 401, "user": 200, "staff": 200, "owner": 200}
    rows[("/api/v1/progress/", "post")] = {"anonymous": 401, "user": 201, "staff": 201, "owner": 201}
    for method in ("get", "patch"):
        rows[("/api/v1/progress/{id}/", method)] = {"anonymous": 401, "user": 404, "staff": 404, "owner": 200}
    return rows


MATRIX = _matrix()


def schema_operations() -> set:
    schema = SchemaGenerator().get_schema(request=None, public=True)
    methods = {"get", "post", "put", "patch", "delete"}
    return {(path, method) for path, item in schema["paths"].items() for method in item if method in methods}


def test_the_matrix_covers_every_operation_of_the_schema():
    assert schema_operations() == set(MATRIX)


@pytest.fixture
def permission_world(api_catalogue):
    owner = factories.UserFactory(username="owner")
    users = {
        "anonymous": None,
        "user": factories.UserFactory(username="someone"),
        "staff": factories.UserFactory(username="curator", is_staff=True),
        "owner": owner,
    }
    tutorial = factories.TutorialFactory(slug="digits", demo="mlp_digits")
    run = factories.TrainingRunFactory(owner=owner, demo="mlp_digits", status=TrainingRun.Status.QUEUED)
    accounts_services.set_bookmark(owner, api_catalogue["book"], True)
    mark = Bookmark.objects.get(user=owner)
    learning_path = LearningPath.objects.create(slug="matrix-path", title_en="Matrix", status="published")
    first = Step.objects.create(path=learning_path, position=1, tutorial=tutorial)
    second = Step.objects.create(
        path=learning_path, position=2, paper=factories.PaperFactory(slug="matrix-paper")
    )
    progress = StepProgress.objects.create(user=owner, step=first, state="learning")
    deadline = api_catalogue["deadline"]
    follow = Follow.objects.create(user=owner, series=deadline.edition.series)
    change = DeadlineChange.objects.create(
        edition=deadline.edition, deadline=deadline, kind=deadline.kind, change="moved", new_at=deadline.at
    )
    return {
        "users": users,
        "catalogue": api_catalogue,
        "tutorial": tutorial,
        "run": run,
        "bookmark": mark,
        "change": change,
        "follow": follow,
        "path": learning_path,
        "unstarted_step": second,
        "progress": progress,
    }


def request_for(path: str, method: str, permission_world: dict) -> tuple[str, dict | None]:
    """The concrete URL and body of one operation."""
    parts = path.strip("/").split("/")
    name = parts[2]
    body = None
    if name in RESOURCES:
        _model, key, _lookup, create_body, change_body = RESOURCES[name]
        item = permission_world["catalogue"][key]
        url = path.replace("{slug}", str(getattr(item, "slug", ""))).replace("{id}", str(item.pk))
        if method in {"post", "put"}:
            body = create_body(permission_world["catalogue"])
        elif method == "patch":
            body = change_body
        return url, body
    if name == "search":
        return f"{path}?q=attention", None
    if name == "recommendations":
        return path, None
    if name == "follows":
        if method == "post":
            body = {"kind": "series", "slug": permission_world["follow"].series.slug}
        return path.replace("{id}", str(permission_world["follow"].pk)), body
    if name == "expected-deadlines":
        return path, None
    if name == "deadline-changes":
        return path.replace("{id}", str(permission_world["change"].pk)), None
    if name == "tutorials":
        return path.replace("{slug}", permission_world["tutorial"].slug), None
    if name == "runs":
        if method == "post" and "{id}" not in path:
            body = {"demo": "mlp_digits", "params": {"epochs": 1}}
        return path.replace("{id}", str(permission_world["run"].pk)), body
    if name == "bookmarks":
        if method == "post":
            body = {"type": "paper", "slug": permission_world["catalogue"]["paper"].slug}
        elif method == "patch":
            body = {"note": "chapter 10"}
        return path.replace("{id}", str(permission_world["bookmark"].pk)), body
    if name == "paths":
        if method == "post":
            body = {"slug": "new-path", "title_en": "New", "topics": [], "prerequisites": []}
        elif method == "put":
            body = {"slug": "matrix-path", "title_en": "Renamed", "level": "advanced"}
        elif method == "patch":
            body = {"title_zh": "矩阵"}
        return path.replace("{slug}", permission_world["path"].slug), body
    if name == "progress":
        if method == "post":
            body = {"step": permission_world["unstarted_step"].pk, "state": "done"}
        elif method == "patch":
            body = {"note": "mine"}
        return path.replace("{id}", str(permission_world["progress"].pk)), body
    raise AssertionError(f"no request written for {method.upper()} {path}")


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize(("path", "method"), sorted(MATRIX))
def test_each_role_gets_its_status_on_each_operation(
    path, method, role, permission_world, django_capture_on_commit_callbacks
):
    url, body = request_for(path, method, permission_world)
    client = api_client_for(permission_world["users"][role])
    response = (
        getattr(client, method)(url, body, format="json")
        if body is not None
        else getattr(client, method)(url)
    )
    expected = MATRIX[(path, method)][role]
    assert response.status_code == expected, (role, method, url, response.content[:300])
    if expected >= 400:
        assert response.json()["error"]["status"] == expected
