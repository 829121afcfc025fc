"""The XSS corpus (xss_vectors.py) through every field that shows curator or user content,
loaded in Debian's Chromium: no vector may run.

Each vector calls ``__xss(n)`` or opens a dialog if it ever runs. ``__xss`` is a Playwright
binding present in every frame of every page (iframes included) that records the call in the test;
every dialog is recorded and dismissed; uncaught page errors are recorded too. Each stored value
starts with a marker ``~field.vector~``; the markers found in the pages show which fields were
really shown, and the test fails if a stored field was shown on no page (a test that renders
nothing proves nothing). URL fields get ``javascript:``, ``data:`` and ``vbscript:`` addresses
written past validation (as a raw SQL write would): no link or frame on any page may keep them.

Pages: every list and detail page of the catalogue and tutorials (English, and the Chinese fields
through the language fallback), run pages, the leaderboard and comparison, the library and its
note forms, the admin's changelists and tutorial previews, the browsable API; and pages that echo
input: the search, list pages with bad ``page``/``per_page``/filter values, the browsable API's
errors, and the sign-up and launch forms posted with each vector.
"""

import datetime as dt
import re
import time
from dataclasses import dataclass, field

import pytest
from django.contrib.contenttypes.models import ContentType
from django.test import Client
from django.utils import timezone

from accounts.models import Bookmark
from paths.models import LearningPath, QuizChoice, QuizQuestion, Step, StepProgress
from resources import models
from tests import factories
from tests.helpers import session_cookie
from tests.security.xss_vectors import VECTORS, vector
from tutorials import services
from tutorials.models import TrainingRun

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

N = len(VECTORS)
MARKER = re.compile(r"~(\d+)\.(\d+)~")
#: Schemes no link, image or frame on the site may carry.
BAD_SCHEMES = ("javascript:", "data:", "vbscript:")
SCHEME_VECTORS = [f"javascript:__xss({n})" for n in range(3)] + [
    "data:text/html,<script>parent.__xss(3)</script>",
    "vbscript:__xss(4)",
    "JaVaScRiPt:__xss(5)",
]


@dataclass
class Corpus:
    """What was stored where: field names by id, and the (field, vector) pairs written whole."""

    fields: list[str] = field(default_factory=list)
    written: set[tuple[int, int]] = field(default_factory=set)

    def fid(self, name: str) -> int:
        if name not in self.fields:
            self.fields.append(name)
        return self.fields.index(name)

    def value(self, name: str, i: int, max_length: int | None = None) -> str | None:
        """Marker and vector ``i``, or None when they do not fit the column."""
        whole = f"~{self.fid(name)}.{i}~ {vector(i)}"
        if max_length is not None and len(whole) > max_length:
            return None
        self.written.add((self.fid(name), i))
        return whole

    def chunks(self, name: str, max_length: int) -> list[str]:
        """Every vector that fits the column, packed greedily into as few values as possible."""
        out, current = [], ""
        for i in range(N):
            whole = self.value(name, i, max_length)
            if whole is None:
                continue
            if current and len(current) + 1 + len(whole) > max_length:
                out.append(current)
                current = whole
            else:
                current = f"{current} {whole}" if current else whole
        return [*out, current] if current else out

    def everything(self, name: str) -> str:
        """Every vector, each with its marker, one paragraph each (for a text column)."""
        return "\n\n".join(self.value(name, i) for i in range(N))

    def each(self, name: str) -> list[str]:
        return [self.value(name, i) for i in range(N)]


def packed(corpus: Corpus, kind: str, columns: dict[str, int]) -> list[dict]:
    """Field values for as few rows as hold every vector in every column (filler where a column
    has fewer chunks than the row count)."""
    chunks = {column: corpus.chunks(f"{kind}.{column}", size) for column, size in columns.items()}
    rows = max(len(c) for c in chunks.values())
    return [
        {column: (c[k] if k < len(c) else f"{kind} {column} {k}") for column, c in chunks.items()}
        for k in range(rows)
    ]


def seed(corpus: Corpus) -> dict:
    """Rows whose short columns hold the corpus packed into as few rows as fit; one row per kind
    whose text and list columns hold all of it; and one whose Chinese columns hold all of it
    (its English ones empty, so English pages show the Chinese text through the fallback)."""
    e, published = corpus.everything, models.Status.PUBLISHED
    future = timezone.now() + dt.timedelta(days=30)
    made: dict[str, list] = {}

    made["topic"] = [
        models.Topic.objects.create(slug=f"xt{k}", **values)
        for k, values in enumerate(packed(corpus, "topic", {"name_en": 120, "name_zh": 120}))
    ]
    made["series"] = [
        models.ConferenceSeries.objects.create(slug=f"xc{k}", status=published, **values)
        for k, values in enumerate(
            packed(corpus, "series", {"short_name": 40, "full_name": 255, "dblp_key": 80})
        )
    ]
    for series, topic in zip(made["series"], made["topic"], strict=False):
        series.topics.add(topic)
    edition_columns = {
        "date_text": 120, "city": 120, "country": 120, "venue": 255, "place_text": 255, "timezone": 60,
    }  # fmt: skip
    made["edition"] = [
        models.ConferenceEdition.objects.create(
            series=made["series"][k % len(made["series"])], year=2027 + k // len(made["series"]),
            ccf_id=f"x{k}", **values,
        )
        for k, values in enumerate(packed(corpus, "edition", edition_columns))
    ]  # fmt: skip
    for k, values in enumerate(packed(corpus, "deadline", {"label": 200, "local": 60, "timezone": 60})):
        models.Deadline.objects.create(edition=made["edition"][k % len(made["edition"])], at=future, **values)
    made["course"] = [
        models.Course.objects.create(slug=f"xco{k}", url="https://example.org/c", status=published, **values)
        for k, values in enumerate(packed(corpus, "course", {"title": 255, "provider": 120, "duration": 120}))
    ]
    made["book"] = [
        models.Book.objects.create(slug=f"xb{k}", authors=["A"], status=published, **values)
        for k, values in enumerate(packed(corpus, "book", {"title": 255, "publisher": 255, "edition": 40}))
    ]
    papers = packed(corpus, "paper", {"title": 500, "venue": 255})
    authors = corpus.each("paper.authors")
    made["paper"] = [
        models.Paper.objects.create(
            slug=f"xp{k}", status=published, year=2024, venue_edition=made["edition"][k],
            authors=authors[k :: len(papers)], **values,
        )
        for k, values in enumerate(papers)
    ]  # fmt: skip
    for paper, topic in zip(made["paper"], made["topic"], strict=False):
        paper.topics.add(topic)
    made["community"] = [
        models.Community.objects.create(
            slug=f"xm{k}", kind="forum", url="https://e.org/", status=published, **v
        )
        for k, v in enumerate(packed(corpus, "community", {"name": 200}))
    ]
    made["tutorial"] = [
        factories.TutorialFactory(slug=f"xtu{k}", title_zh="", demo="mlp_digits", **values)
        for k, values in enumerate(packed(corpus, "tutorial", {"title_en": 200}))
    ]
    # Chinese titles, shown on the English list through the fallback (the English title is empty).
    for k, values in enumerate(packed(corpus, "tutorial", {"title_zh": 200})):
        factories.TutorialFactory(slug=f"xtz{k}", title_en="", demo="", **values)
    made["run"] = []
    for k, username in enumerate(corpus.chunks("user.username", 150)):
        owner = factories.UserFactory(username=username, email=f"x{k}@example.org")
        made["run"].append(
            factories.TrainingRunFactory(
                owner=owner, demo="mlp_digits", tutorial=made["tutorial"][0], is_public=True,
                status=TrainingRun.Status.SUCCEEDED, progress=1.0, finished_at=timezone.now(),
                params={"epochs": 1}, final_metrics={"val_accuracy": 0.5 + k / 1000},
            )
        )  # fmt: skip
    reader = factories.UserFactory(username="reader")
    made["bookmark"] = [
        Bookmark.objects.create(
            user=reader, content_type=ContentType.objects.get_for_model(models.Paper), object_id=paper.pk,
            note=note,
        )
        for paper, note in zip(made["paper"], corpus.chunks("bookmark.note", 500), strict=False)
    ]  # fmt: skip
    made["reader"] = reader

    # Text and list columns: one row each with the whole corpus.
    made["all"] = {
        "topic": models.Topic.objects.create(
            slug="xt-all", name_en="all", description_en=e("topic.description_en")
        ),
        "series": models.ConferenceSeries.objects.create(
            slug="xc-all", short_name="XALL", status=published, description_en=e("series.description_en"),
        ),
        "course": models.Course.objects.create(
            slug="xco-all", title="all", provider="p", url="https://example.org/", status=published,
            instructors=corpus.each("course.instructors"), description_en=e("course.description_en"),
        ),
        "book": models.Book.objects.create(
            slug="xb-all", title="all", authors=corpus.each("book.authors"), status=published,
            description_en=e("book.description_en"),
        ),
        "paper": models.Paper.objects.create(
            slug="xp-all", title="all", authors=["a"], status=published, abstract=e("paper.abstract"),
            description_en=e("paper.description_en"),
        ),
        "community": models.Community.objects.create(
            slug="xm-all", name="all", kind="forum", url="https://example.org/", status=published,
            description_en=e("community.description_en"),
        ),
        "tutorial": factories.TutorialFactory(
            slug="xtu-all", title_en="all", summary_en=e("tutorial.summary_en"),
            body_en=e("tutorial.body_en"),
            demo="mlp_digits",
        ),
    }  # fmt: skip
    edition = models.ConferenceEdition.objects.create(
        series=made["all"]["series"], year=2027, ccf_id="xall", note=e("edition.note")
    )
    models.Deadline.objects.create(edition=edition, at=future, label="all", comment=e("deadline.comment"))
    made["all"]["edition"] = edition
    made["all"]["run"] = factories.TrainingRunFactory(
        owner=reader, demo="mlp_digits", is_public=True, status=TrainingRun.Status.FAILED,
        params={f"p{i}": value for i, value in enumerate(corpus.each("run.params"))}, error=e("run.error"),
    )  # fmt: skip

    # The Chinese columns, shown on English pages through the fallback.
    made["zh"] = {
        "topic": models.Topic.objects.create(
            slug="xt-zh", name_en="", name_zh="zh", description_zh=e("topic.description_zh")
        ),
        "series": models.ConferenceSeries.objects.create(
            slug="xc-zh", short_name="XZH", description_zh=e("series.description_zh"), status=published,
        ),
        "course": models.Course.objects.create(
            slug="xco-zh", title="zh", provider="p", url="https://example.org/", status=published,
            description_zh=e("course.description_zh"),
        ),
        "book": models.Book.objects.create(
            slug="xb-zh", title="zh", authors=["a"], status=published,
            description_zh=e("book.description_zh"),
        ),
        "paper": models.Paper.objects.create(
            slug="xp-zh", title="zh", authors=["a"], status=published,
            description_zh=e("paper.description_zh"),
        ),
        "community": models.Community.objects.create(
            slug="xm-zh", name="zh", kind="forum", url="https://example.org/", status=published,
            description_zh=e("community.description_zh"),
        ),
        "tutorial": factories.TutorialFactory(
            slug="xtu-zh", title_en="", title_zh="zh", summary_zh=e("tutorial.summary_zh"),
            body_en="", body_zh=e("tutorial.body_zh"), demo="",
        ),
    }  # fmt: skip

    # Learning paths: titles packed into rows (English, and Chinese through the fallback); a path
    # whose summary, step reasons, reader's note and quiz hold the whole corpus.
    made["paths"] = [
        LearningPath.objects.create(slug=f"xpa{k}", status=published, **values)
        for k, values in enumerate(packed(corpus, "path", {"title_en": 200}))
    ] + [
        LearningPath.objects.create(slug=f"xpz{k}", title_en="", status=published, **values)
        for k, values in enumerate(packed(corpus, "path", {"title_zh": 200}))
    ]
    whole = LearningPath.objects.create(
        slug="xpa-all", title_en="all", status=published, summary_en=e("path.summary_en")
    )
    whole_zh = LearningPath.objects.create(
        slug="xpa-zh", title_en="", title_zh="zh", status=published, summary_zh=e("path.summary_zh")
    )
    first = Step.objects.create(
        path=whole, position=1, tutorial=made["all"]["tutorial"], why_en=e("step.why_en")
    )
    for k, values in enumerate(packed(corpus, "step", {"title_en": 200}), start=2):
        Step.objects.create(path=whole, position=k, external_url="https://example.org/", **values)
    Step.objects.create(path=whole_zh, position=1, paper=made["all"]["paper"], why_zh=e("step.why_zh"))
    StepProgress.objects.create(user=reader, step=first, state="learning", note=e("progress.note"))
    question = QuizQuestion.objects.create(
        tutorial=made["all"]["tutorial"], position=1, text_en=e("quiz.text_en"), text_zh="q"
    )
    for k, values in enumerate(packed(corpus, "choice", {"text_en": 300}), start=1):
        QuizChoice.objects.create(question=question, position=k, text_zh="c", correct=k == 1, **values)
    made["paths"] += [whole, whole_zh]
    return made


def seed_bad_urls() -> list[str]:
    """URL columns written with script-running schemes past validation (a QuerySet update)."""
    pages = []
    for i, url in enumerate(SCHEME_VECTORS):
        series = factories.ConferenceSeriesFactory(short_name=f"URL{i}", slug=f"url{i}")
        models.ConferenceSeries.objects.filter(pk=series.pk).update(homepage=url)
        edition = factories.ConferenceEditionFactory(series=series, year=2027, ccf_id=f"url{i}")
        models.ConferenceEdition.objects.filter(pk=edition.pk).update(link=url)
        for factory, model, columns, base in (
            (factories.PaperFactory, models.Paper, ("url", "pdf_url", "code_url"), "/papers/"),
            (factories.BookFactory, models.Book, ("url", "free_url"), "/books/"),
            (factories.CourseFactory, models.Course, ("url",), "/courses/"),
            (factories.CommunityFactory, models.Community, ("url",), "/communities/"),
        ):
            item = factory(slug=f"url-{model._meta.model_name}-{i}")
            model.objects.filter(pk=item.pk).update(**dict.fromkeys(columns, url))
            pages.append(f"{base}{item.slug}/")
        pages += [f"/conferences/url{i}/", f"/conferences/url{i}/2027/"]
    return pages


class Watch:
    """Everything a page did that it should not have: script calls, dialogs, page errors, bad links."""

    def __init__(self, context):
        self.calls: list[tuple[str, str]] = []
        self.dialogs: list[tuple[str, str]] = []
        self.errors: list[tuple[str, str]] = []
        self.bad_links: list[tuple[str, str]] = []
        self.html: dict[str, str] = {}
        self.url = ""
        context.expose_function("__xss", lambda n=None: self.calls.append((self.url, str(n))))

    def attach(self, page):
        page.on("dialog", lambda d: (self.dialogs.append((self.url, d.message)), d.dismiss()))
        page.on("pageerror", lambda error: self.errors.append((self.url, str(error))))

    def visit(self, page, url: str, *, expect_status: int | None = 200) -> None:
        self.url = url
        response = page.goto(url, wait_until="load")
        if expect_status is not None:
            assert response is not None and response.status == expect_status, (
                url,
                response and response.status,
            )
        self.settle(page)

    def settle(self, page) -> None:
        # Event handlers such as onfocus or ontoggle fire after load; let the event loop run them.
        page.evaluate("() => new Promise(resolve => setTimeout(resolve, 30))")
        self.html[self.url] = page.content()
        hrefs = page.eval_on_selector_all(
            "a[href], area[href], iframe[src], frame[src], img[src], embed[src], object[data], form[action]",
            # An SVG <a> keeps its href as an SVGAnimatedString: resolve its text like an HTML link's.
            "els => els.map(e => { const v = e.href || e.src || e.data || e.action || '';"
            " if (typeof v === 'string') return v;"
            " try { return new URL(v.baseVal, document.baseURI).href; } catch (e) { return v.baseVal; } })",
        )
        for href in hrefs:
            if href.strip().lower().startswith(BAD_SCHEMES):
                self.bad_links.append((self.url, href))

    def problems(self) -> list[str]:
        return (
            [f"script ran: __xss({n}) on {url}" for url, n in self.calls]
            + [f"dialog {message!r} on {url}" for url, message in self.dialogs]
            + [f"page error {error!r} on {url}" for url, error in self.errors]
            + [f"link with a script scheme {href!r} on {url}" for url, href in self.bad_links]
        )


def shown_pairs(watch: Watch) -> set[tuple[int, int]]:
    return {(int(f), int(i)) for html in watch.html.values() for f, i in MARKER.findall(html)}


@pytest.fixture
def context(browser, live_server):
    context = browser.new_context(viewport={"width": 1280, "height": 900}, locale="en-GB")
    context.set_default_timeout(15_000)
    yield context
    context.close()


def list_pages(page, watch, base: str, path: str) -> None:
    """A list page and every page after it, by its rel=next links."""
    url = f"{base}{path}?per_page=100"
    for _ in range(20):
        watch.visit(page, url)
        link = page.locator("a[rel=next]")
        if not link.count():
            return
        url = link.first.evaluate("a => a.href")


def test_stored_content_never_runs_a_script(context, live_server, record_property):
    started = time.monotonic()
    corpus = Corpus()
    made = seed(corpus)
    url_pages = seed_bad_urls()
    base = live_server.url
    watch = Watch(context)
    page = context.new_page()
    watch.attach(page)

    for path in ("/topics/", "/conferences/", "/deadlines/", "/courses/", "/books/", "/papers/",
                 "/communities/", "/tutorials/"):  # fmt: skip
        list_pages(page, watch, base, path)
    watch.visit(page, base + "/")
    # Detail pages: rows whose short columns show only there, and the whole-corpus rows.
    for key in ("series", "edition", "course", "book"):
        for item in made[key]:
            watch.visit(page, base + item.get_absolute_url())
    for item in [*made["all"].values(), *made["zh"].values()]:
        watch.visit(page, base + item.get_absolute_url())
    watch.visit(page, f"{base}/tutorials/leaderboard/mlp_digits/")
    runs = [*made["run"], made["all"]["run"]]
    for start in range(0, len(runs), 6):
        ids = "&".join(f"ids={run.pk}" for run in runs[start : start + 6])
        watch.visit(page, f"{base}/tutorials/runs/compare/?{ids}", expect_status=None)
    for path in url_pages:
        watch.visit(page, base + path)
    watch.visit(page, f"{base}/paths/")
    for learning_path in made["paths"]:
        watch.visit(page, base + learning_path.get_absolute_url())
    watch.visit(page, f"{base}/paths/quiz/{made['all']['tutorial'].slug}/")

    # The browsable API shows the same content as JSON inside HTML.
    for resource in ("topics", "conferences", "editions", "deadlines", "courses", "books", "papers",
                     "communities", "runs"):  # fmt: skip
        watch.visit(page, f"{base}/api/v1/{resource}/?format=api&page_size=100")
    watch.visit(page, f"{base}/api/v1/paths/xpa-all/?format=api")

    # The reader's library and note forms (a note is written back into a textarea).
    context.add_cookies([session_cookie(made["reader"], live_server)])
    watch.visit(page, f"{base}/accounts/library/")
    watch.visit(page, f"{base}/")  # "continue where you left off"
    watch.visit(page, f"{base}/paths/xpa-all/")  # the reader's note, back in its textarea
    for bookmark in made["bookmark"]:
        watch.visit(page, f"{base}/accounts/library/{bookmark.pk}/note/")
    context.clear_cookies()

    # The admin: changelists and the tutorial previews (Markdown rendered for the curator).
    root = factories.UserFactory(username="root", is_staff=True, is_superuser=True)
    context.add_cookies([session_cookie(root, live_server)])
    for model in ("topic", "conferenceseries", "conferenceedition", "deadline", "course", "book", "paper",
                  "community"):  # fmt: skip
        watch.visit(page, f"{base}/admin/resources/{model}/?all=")
    watch.visit(page, f"{base}/admin/tutorials/tutorial/")
    watch.visit(page, f"{base}/admin/tutorials/trainingrun/")
    watch.visit(page, f"{base}/admin/accounts/bookmark/")
    watch.visit(page, f"{base}/admin/auth/user/")
    watch.visit(page, f"{base}/admin/paths/learningpath/")
    watch.visit(page, f"{base}/admin/paths/quizquestion/")
    watch.visit(page, f"{base}/admin/paths/learningpath/{made['paths'][-2].pk}/change/")
    for tutorial in (made["all"]["tutorial"], made["zh"]["tutorial"]):
        watch.visit(page, f"{base}/admin/tutorials/tutorial/{tutorial.pk}/change/")
    context.clear_cookies()

    report(corpus, watch, record_property, "stored", started)


def test_input_echoed_back_never_runs_a_script(context, live_server, record_property, settings):
    """Search queries, bad list parameters, API errors and form errors that repeat the input."""
    started = time.monotonic()
    corpus = Corpus()
    base = live_server.url
    factories.PaperFactory(title="Attention")
    tutorial = factories.TutorialFactory(slug="echo", demo="mlp_digits")
    watch = Watch(context)
    page = context.new_page()
    watch.attach(page)
    from urllib.parse import quote

    # Parameters without a length limit take the whole corpus at once; the query is packed.
    for q in corpus.chunks("search.q", 200):
        watch.visit(page, f"{base}/search/?q={quote(q)}")
    everything = {
        name: quote(" ".join(corpus.each(name))) for name in ("list.page", "list.per_page", "list.year")
    }
    watch.visit(page, f"{base}/papers/?page={everything['list.page']}")
    watch.visit(page, f"{base}/books/?per_page={everything['list.per_page']}")
    watch.visit(page, f"{base}/papers/?year={everything['list.year']}")
    api_year = quote(" ".join(corpus.each("api.year")))
    watch.visit(page, f"{base}/api/v1/papers/?format=api&year={api_year}", expect_status=400)

    # Forms posted with the corpus: each error page is rendered by the server for that post and
    # shown at the site's own address, so it loads the site's styles and scripts as it would.
    launcher = factories.UserFactory(username="launcher")
    client, signed_in = Client(), Client()
    signed_in.force_login(launcher)
    settings.ACCOUNTS_POST_LIMITS = {"signup": (10_000, 60)}
    usernames, emails = corpus.chunks("signup.username", 150), corpus.chunks("signup.email", 254)
    for k in range(max(len(usernames), len(emails))):
        data = {
            "username": usernames[k] if k < len(usernames) else "someone",
            "email": emails[k] if k < len(emails) else "someone@example.org",
            "password1": "x",
            "password2": "y",
        }
        signup = client.post("/accounts/signup/", data)
        assert signup.status_code == 400
        show(page, watch, f"{base}/accounts/signup/?echo={k}", signup)
    defaults = {p.name: p.default for p in services.demo_spec("mlp_digits") if p.kind != "bool"}
    for name in defaults:
        launch = signed_in.post(
            f"/tutorials/{tutorial.slug}/", {**defaults, name: corpus.everything(f"launch.{name}")}
        )
        assert launch.status_code == 400
        show(page, watch, f"{base}/tutorials/{tutorial.slug}/?echo={name}", launch)

    report(corpus, watch, record_property, "echoed", started)


def show(page, watch, url: str, response) -> None:
    body = response.content

    def fulfil(route):
        route.fulfill(status=200, body=body, content_type="text/html; charset=utf-8")

    page.route(url, fulfil)
    watch.visit(page, url)
    page.unroute(url)


def report(corpus: Corpus, watch: Watch, record_property, kind: str, started: float) -> None:
    shown = shown_pairs(watch)
    tested = corpus.written & shown
    fields_tested = sorted({corpus.fields[f] for f, _i in tested})
    never_shown = sorted(set(corpus.fields) - {corpus.fields[f] for f, _i in shown})
    print(
        f"\nXSS corpus ({kind}): {N} vectors; {len(fields_tested)} fields shown; "
        f"{len(tested)} vector x field pairs written whole and seen on a page; {len(watch.html)} pages "
        f"in {time.monotonic() - started:.0f} s; scripts executed: {len(watch.calls)}, "
        f"dialogs: {len(watch.dialogs)}; fields stored but not shown: {never_shown}"
    )
    record_property("xss_vectors", N)
    record_property("xss_fields", len(fields_tested))
    record_property("xss_pairs", len(tested))
    record_property("xss_pages", len(watch.html))
    record_property("xss_scripts_executed", len(watch.calls) + len(watch.dialogs))
    problems = watch.problems()
    assert not problems, "\n".join(problems[:50])
    assert not never_shown, f"fields never shown, so the test proved nothing for them: {never_shown}"
