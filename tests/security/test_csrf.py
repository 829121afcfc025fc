"""CSRF: every form of the site refuses a post without its token (403) and changes nothing.

The URLconf is walked: each named route of the site is either a form (a case below) or read-only
(READ_ONLY); a new route fails ``test_every_route_is_classified`` until it is put in one of them.
Each form case is also posted once by a client that skips the CSRF check, which must change the
state: so the "nothing changed" check is known to see a change when there is one. The API's
writing operations (from the schema) answer 403 to a session without the token.
"""

from collections.abc import Callable
from dataclasses import dataclass

import pytest
from django.contrib.auth import get_user_model
from django.contrib.contenttypes.models import ContentType
from django.core import mail
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver, reverse
from rest_framework.test import APIClient

from accounts.models import Bookmark
from notifications.models import Follow, Preferences
from paths.models import LearningPath, QuizChoice, QuizQuestion, Step, StepProgress, StudyPlan
from resources import models
from tests import factories
from tests.security import api_ops
from tutorials import services
from tutorials.models import TrainingRun

pytestmark = pytest.mark.django_db
User = get_user_model()
PASSWORD = "correct-horse-battery-staple"
NEW_PASSWORD = "a-new-and-long-Passphrase-42"

#: Named routes that only read (GET/HEAD); a post to them is refused by the CSRF check anyway.
READ_ONLY = {
    "home", "healthz", "metrics", "favicon", "api-schema", "api-docs", "api-redoc",
    "accounts:password_change_done", "accounts:password_reset_done", "accounts:password_reset_complete",
    "accounts:library", "accounts:library-bibtex",
    "tutorials:list", "tutorials:my-runs", "tutorials:compare", "tutorials:run-detail",
    "tutorials:run-status", "tutorials:run-script", "tutorials:run-shared", "tutorials:leaderboard",
    "resources:search", "resources:deadline-list", "resources:deadlines-ics", "resources:deadline-feed",
    "resources:deadline-changes-feed", "notifications:calendar", "resources:deadline-calendar",
    "resources:deadline-ics", "resources:conference-list", "resources:conference-ics",
    "resources:conference-detail", "resources:edition-detail", "resources:paper-list",
    "resources:papers-bib", "resources:paper-feed", "resources:paper-bib", "resources:paper-detail",
    "resources:book-list", "resources:book-detail", "resources:course-list", "resources:course-detail",
    "resources:community-list", "resources:community-detail", "resources:topic-list",
    "resources:topic-detail", "resources:sitemap", "resources:sitemap-section",
    "paths:list", "paths:detail",
}  # fmt: skip

BIB = "@article{k2017,\n  title = {A Title},\n  author = {Doe, Jane},\n  year = {2017},\n}\n"
YAML = (
    "- title: CSRFCONF\n  year: 2027\n  id: csrfconf27\n  link: https://example.org/\n"
    "  deadlines:\n  - type: submission\n    label: Paper\n    date: '2026-08-28 23:59:59'\n"
    "    timezone: AoE\n"
)
TOPICS_YAML = (
    "topics:\n  - slug: csrf\n    name_en: CSRF\n    name_zh: 跨站请求伪造\n"
    "    description_en: Forged requests.\n    description_zh: 伪造的请求。\n"
)


@dataclass
class Form:
    """How to post one form: the URL and data, who is signed in, and how to see a change."""

    url: Callable[[dict], str]
    data: Callable[[dict], dict]
    changed: Callable[[dict, object], bool]
    user: str | None = None
    #: A GET before the post (the reset link keeps its token in the session).
    prepare: Callable[[Client, dict], str] | None = None


def signed_in(client, user):
    return "_auth_user_id" in client.session and client.session["_auth_user_id"] == str(user.pk)


def launch_data(_state):
    return {p.name: p.default for p in services.demo_spec("mlp_digits") if p.kind != "bool"}


def reset_link(client, state):
    from django.contrib.auth.tokens import default_token_generator
    from django.utils.encoding import force_bytes
    from django.utils.http import urlsafe_base64_encode

    user = state["alice"]
    uid = urlsafe_base64_encode(force_bytes(user.pk))
    link = reverse("accounts:password_reset_confirm", args=[uid, default_token_generator.make_token(user)])
    return client.get(link)["Location"]


def upload(name, text):
    return SimpleUploadedFile(name, text.encode(), content_type="text/plain")


def staged(state):
    folder = state["var"] / "imports"
    return folder.exists() and any(folder.iterdir())


FORMS = {
    "notifications:follow": Form(
        url=lambda s: reverse("notifications:follow"),
        data=lambda s: {"kind": "topic", "slug": s["topic"].slug},
        changed=lambda s, r: Follow.objects.filter(user=s["alice"]).exists(),
        user="alice",
    ),
    "notifications:settings": Form(
        url=lambda s: reverse("notifications:settings"),
        data=lambda s: {"language": "zh-hans", "time_zone": "Asia/Shanghai", "reminder_offsets": "3"},
        changed=lambda s, r: Preferences.objects.filter(user=s["alice"], language="zh-hans").exists(),
        user="alice",
    ),
    "set_language": Form(
        url=lambda s: reverse("set_language"),
        data=lambda s: {"language": "zh-hans", "next": "/"},
        changed=lambda s, r: "django_language" in r.cookies,
    ),
    "accounts:signup": Form(
        url=lambda s: reverse("accounts:signup"),
        data=lambda s: {
            "username": "newcomer", "email": "newcomer@example.org",
            "password1": NEW_PASSWORD, "password2": NEW_PASSWORD,
        },
        changed=lambda s, r: User.objects.filter(username="newcomer").exists(),
    ),
    "accounts:login": Form(
        url=lambda s: reverse("accounts:login"),
        data=lambda s: {"username": "alice", "password": PASSWORD},
        changed=lambda s, r: signed_in(s["client"], s["alice"]),
    ),
    "accounts:logout": Form(
        url=lambda s: reverse("accounts:logout"),
        data=lambda s: {},
        changed=lambda s, r: not signed_in(s["client"], s["alice"]),
        user="alice",
    ),
    "accounts:password_change": Form(
        url=lambda s: reverse("accounts:password_change"),
        data=lambda s: {
            "old_password": PASSWORD, "new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD,
        },
        changed=lambda s, r: not User.objects.get(username="alice").check_password(PASSWORD),
        user="alice",
    ),
    "accounts:password_reset": Form(
        url=lambda s: reverse("accounts:password_reset"),
        data=lambda s: {"email": "alice@example.org"},
        changed=lambda s, r: len(mail.outbox) > 0,
    ),
    "accounts:password_reset_confirm": Form(
        url=lambda s: s["prepared"],
        data=lambda s: {"new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD},
        changed=lambda s, r: not User.objects.get(username="alice").check_password(PASSWORD),
        prepare=reset_link,
    ),
    "accounts:bookmark": Form(
        url=lambda s: reverse("accounts:bookmark"),
        data=lambda s: {"content_type": "resources.paper", "object_id": s["paper"].pk, "action": "add"},
        changed=lambda s, r: Bookmark.objects.filter(user=s["alice"], object_id=s["paper"].pk).exists(),
        user="alice",
    ),
    "accounts:bookmark-remove": Form(
        url=lambda s: reverse("accounts:bookmark-remove", args=[s["bookmark"].pk]),
        data=lambda s: {},
        changed=lambda s, r: not Bookmark.objects.filter(pk=s["bookmark"].pk).exists(),
        user="alice",
    ),
    "accounts:bookmark-note": Form(
        url=lambda s: reverse("accounts:bookmark-note", args=[s["bookmark"].pk]),
        data=lambda s: {"note": "a changed note"},
        changed=lambda s, r: Bookmark.objects.get(pk=s["bookmark"].pk).note == "a changed note",
        user="alice",
    ),
    "tutorials:detail": Form(
        url=lambda s: reverse("tutorials:detail", args=[s["tutorial"].slug]),
        data=launch_data,
        changed=lambda s, r: TrainingRun.objects.filter(owner=s["alice"]).exclude(pk=s["run"].pk).exists(),
        user="alice",
    ),
    "tutorials:run-cancel": Form(
        url=lambda s: reverse("tutorials:run-cancel", args=[s["run"].pk]),
        data=lambda s: {},
        changed=lambda s, r: TrainingRun.objects.get(pk=s["run"].pk).status == "cancelled",
        user="alice",
    ),
    "paths:step-progress": Form(
        url=lambda s: reverse("paths:step-progress", args=[s["step"].path.slug, s["step"].pk]),
        data=lambda s: {f"s{s['step'].pk}-state": "done", f"s{s['step'].pk}-note": "mine"},
        changed=lambda s, r: StepProgress.objects.filter(user=s["alice"], step=s["step"]).exists(),
        user="alice",
    ),
    "paths:study-plan": Form(
        url=lambda s: reverse("paths:study-plan", args=[s["step"].path.slug]),
        data=lambda s: {"finish_by": "2099-01-01", "hours_per_week": "5", "time_zone": "UTC"},
        changed=lambda s, r: StudyPlan.objects.filter(user=s["alice"]).exists(),
        user="alice",
    ),
    "paths:quiz": Form(
        url=lambda s: reverse("paths:quiz", args=[s["tutorial"].slug]),
        data=lambda s: {f"q{s['question'].pk}": s["question"].choices.get(correct=True).pk},
        changed=lambda s, r: StepProgress.objects.filter(user=s["alice"], state="done").exists(),
        user="alice",
    ),
    # The admin: its log-in, a delete confirmation, and the import pages (each stages an upload).
    "admin:login": Form(
        url=lambda s: reverse("admin:login"),
        data=lambda s: {"username": "curator", "password": PASSWORD, "next": "/admin/"},
        changed=lambda s, r: signed_in(s["client"], s["curator"]),
    ),
    "admin:resources_topic_delete": Form(
        url=lambda s: reverse("admin:resources_topic_delete", args=[s["topic"].pk]),
        data=lambda s: {"post": "yes"},
        changed=lambda s, r: not models.Topic.objects.filter(pk=s["topic"].pk).exists(),
        user="curator",
    ),
    "admin:resources_paper_import": Form(
        url=lambda s: reverse("admin:resources_paper_import"),
        data=lambda s: {"file": upload("papers.bib", BIB)},
        changed=lambda s, r: staged(s),
        user="curator",
    ),
    "admin:resources_book_import": Form(
        url=lambda s: reverse("admin:resources_book_import"),
        data=lambda s: {"file": upload("books.bib", BIB)},
        changed=lambda s, r: staged(s),
        user="curator",
    ),
    "admin:resources_conferenceseries_import": Form(
        url=lambda s: reverse("admin:resources_conferenceseries_import"),
        data=lambda s: {"file": upload("deadlines.yml", YAML)},
        changed=lambda s, r: staged(s),
        user="curator",
    ),
    **{
        name: Form(
            url=lambda s, name=name: reverse(name),
            data=lambda s: {"file": upload("topics.yml", TOPICS_YAML)},
            changed=lambda s, r: staged(s),
            user="curator",
        )
        for name in (
            "admin:resources_topic_import",
            "admin:resources_course_import",
            "admin:resources_community_import",
        )
    },
}  # fmt: skip


def named_routes(resolver=None, namespace=""):
    """(name, callback) of every named route of the URLconf, with its namespace."""
    resolver = resolver or get_resolver()
    for entry in resolver.url_patterns:
        if isinstance(entry, URLResolver):
            inner = f"{namespace}{entry.namespace}:" if entry.namespace else namespace
            yield from named_routes(entry, inner)
        elif isinstance(entry, URLPattern):
            yield (f"{namespace}{entry.name}" if entry.name else None), entry.callback


def test_every_route_is_classified():
    site = {name for name, _cb in named_routes() if name and not name.startswith(("admin:", "api:"))}
    unknown = site - READ_ONLY - set(FORMS) - set(SIGNED_LINKS)
    assert not unknown, f"new routes: add a CSRF case to FORMS or list them in READ_ONLY: {sorted(unknown)}"
    assert not (READ_ONLY | {n for n in FORMS if not n.startswith("admin:")}) - site, "stale names"


#: Views exempt from the check that write nothing: the API's JSON 404 for unknown addresses.
EXEMPT_READ_ONLY = {"portal.api.exceptions.not_found"}
#: Routes whose POST is authorised by a signed token in the address, not by a session: the
#: one-click unsubscribe of RFC 8058, which mail clients POST without cookies or a CSRF token.
#: A cross-site page cannot forge the token (tests/notifications/test_delivery.py).
SIGNED_LINKS = {"notifications:unsubscribe": "notifications.views.unsubscribe"}


def test_no_view_is_exempt_from_the_csrf_check():
    """Only DRF's views (DRF's session authentication checks the token itself), the signed links
    and the API's 404, which writes nothing, are csrf_exempt."""
    from rest_framework.views import APIView

    exempt = []
    for _name, callback in named_routes():
        view_class = getattr(callback, "cls", None) or getattr(callback, "view_class", None)
        if getattr(callback, "csrf_exempt", False) and not (view_class and issubclass(view_class, APIView)):
            exempt.append(f"{callback.__module__}.{callback.__name__}")
    assert set(exempt) == EXEMPT_READ_ONLY | set(SIGNED_LINKS.values())
    assert Client(enforce_csrf_checks=True).post("/api/v1/nowhere/", {}).status_code == 404


@pytest.fixture
def state(tmp_path, settings):
    settings.VAR_DIR = tmp_path
    settings.ACCOUNTS_POST_LIMITS = {"login": (1000, 60), "signup": (1000, 60), "password_reset": (1000, 60)}
    alice = factories.UserFactory(username="alice", email="alice@example.org")
    curator = factories.UserFactory(username="curator", is_staff=True, is_superuser=True)
    paper, other = factories.PaperFactory(), factories.PaperFactory()
    bookmark = Bookmark.objects.create(
        user=alice, content_type=ContentType.objects.get_for_model(models.Paper), object_id=other.pk
    )
    tutorial = factories.TutorialFactory(demo="mlp_digits")
    run = factories.TrainingRunFactory(owner=alice, demo="mlp_digits", params={}, tutorial=tutorial)
    learning_path = LearningPath.objects.create(slug="csrf-path", title_en="CSRF", status="published")
    step = Step.objects.create(path=learning_path, position=1, paper=paper)
    Step.objects.create(path=learning_path, position=2, tutorial=tutorial)
    question = QuizQuestion.objects.create(tutorial=tutorial, position=1, text_en="Q?", text_zh="问？")
    QuizChoice.objects.create(question=question, position=1, text_en="No", text_zh="否")
    QuizChoice.objects.create(question=question, position=2, text_en="Yes", text_zh="是", correct=True)
    return {
        "alice": alice, "curator": curator, "paper": paper, "bookmark": bookmark, "tutorial": tutorial,
        "run": run, "topic": factories.TopicFactory(), "var": tmp_path, "step": step,
        "question": question,
    }  # fmt: skip


def post_form(form: Form, state: dict, enforce: bool):
    client = Client(enforce_csrf_checks=enforce)
    if form.user:
        client.force_login(state[form.user])
    state["client"] = client
    if form.prepare:
        state["prepared"] = form.prepare(client, state)
    return client.post(form.url(state), form.data(state))


@pytest.mark.parametrize("name", sorted(FORMS))
def test_a_post_without_the_token_is_refused_and_changes_nothing(name, state):
    form = FORMS[name]
    response = post_form(form, state, enforce=True)
    assert response.status_code == 403, name
    assert b"CSRF" in response.content
    assert not form.changed(state, response), f"{name} changed something without a CSRF token"


@pytest.mark.parametrize("name", sorted(FORMS))
def test_the_same_post_does_change_the_state_when_csrf_is_not_checked(name, state):
    """The control: proves each case's change detector sees the change the form makes."""
    form = FORMS[name]
    response = post_form(form, state, enforce=False)
    assert response.status_code < 400 or name == "accounts:password_reset_confirm", response.status_code
    assert form.changed(state, response), f"{name}: the form did not change what the test watches"


API_BODIES = {"runs_create": {"demo": "mlp_digits"}, "bookmarks_create": {"type": "paper", "id": 1}}


@pytest.mark.parametrize("operation_id", sorted(api_ops.write_operations()))
def test_api_writes_with_a_session_need_the_token(operation_id, state):
    method, path = api_ops.write_operations()[operation_id]
    path = path.replace("{slug}", "x").replace("{id}", str(state["run"].pk if "runs" in path else 1))
    client = APIClient(enforce_csrf_checks=True)
    client.force_login(
        state["curator"] if not operation_id.startswith(("runs", "bookmarks")) else state["alice"]
    )
    counts = {m: m.objects.count() for m in (Bookmark, TrainingRun, models.Paper, models.Topic)}
    response = client.generic(method, path, data="{}", content_type="application/json")
    assert response.status_code == 403, (operation_id, response.status_code)
    assert "CSRF" in response.json()["error"]["detail"]
    assert {m: m.objects.count() for m in counts} == counts
    assert TrainingRun.objects.get(pk=state["run"].pk).status == "queued"
