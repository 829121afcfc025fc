"""The admin as the curators' tool: every page renders, search, filters, autocomplete, bulk
publishing, a whole curation task by POSTs, and changelists whose query count does not grow."""

import datetime as dt
import json

import pytest
from django.contrib.admin.models import LogEntry
from django.contrib.auth.models import Permission
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import NoReverseMatch, reverse

from resources import models
from resources.admin.catalogue import PaperAdmin
from tests import factories

pytestmark = pytest.mark.django_db

MODELS = [
    "topic",
    "conferenceseries",
    "conferenceedition",
    "deadline",
    "acceptancerate",
    "course",
    "book",
    "paper",
    "community",
]


@pytest.fixture
def admin_catalogue():
    """A few rows of every model, linked the way real data is."""
    llm = factories.TopicFactory(slug="llm", name_en="Large language models", name_zh="大语言模型")
    nlp = factories.TopicFactory(slug="nlp", name_en="NLP", name_zh="自然语言处理", parent=llm)
    series = factories.ConferenceSeriesFactory(short_name="NeurIPS", slug="neurips", core_rank="A*")
    series.topics.set([llm])
    draft_series = factories.ConferenceSeriesFactory(
        short_name="ECCV", slug="eccv", field="CV", ccf_rank="B", status=models.Status.DRAFT
    )
    edition = factories.ConferenceEditionFactory(series=series, year=2026)
    factories.ConferenceEditionFactory(series=draft_series, year=2026)
    paper_deadline = factories.DeadlineFactory(edition=edition)
    tbd = factories.DeadlineFactory(
        edition=edition, kind=models.Deadline.Kind.CAMERA_READY, label="", at=None, local="TBD"
    )
    factories.AcceptanceRateFactory(series=series, year=2024, submitted=15671, accepted=4037, rate="0.2576")
    course = factories.CourseFactory(
        title="Deep Learning Specialization", languages=["en", "zh"], level="intermediate"
    )
    course.topics.set([llm, nlp])
    factories.CourseFactory(title="Practical Deep Learning for Coders", languages=["en"], is_free=True)
    book = factories.BookFactory(
        title="Deep Learning",
        authors=["Ian Goodfellow", "Yoshua Bengio", "Aaron Courville"],
        isbn13="9780262035613",
    )
    book.topics.set([llm])
    paper = factories.PaperFactory(
        title="Attention Is All You Need",
        authors=["Ashish Vaswani", "Noam Shazeer"],
        year=2017,
        arxiv_id="1706.03762",
        doi="10.48550/arXiv.1706.03762",
        bibtex_key="vaswani2017attention",
        venue_edition=edition,
    )
    paper.topics.set([nlp])
    lstm = factories.PaperFactory(
        title="Long Short-Term Memory",
        authors=["Sepp Hochreiter", "Jürgen Schmidhuber"],
        year=1997,
        status=models.Status.DRAFT,
        bibtex_key="hochreiter1997lstm",
    )
    paper.cites.add(lstm)
    community = factories.CommunityFactory(name="Stack Overflow", kind=models.Community.Kind.QA)
    factories.CommunityFactory(name="知乎", kind=models.Community.Kind.QA, language="zh")
    return {
        "topic": llm,
        "conferenceseries": series,
        "conferenceedition": edition,
        "deadline": paper_deadline,
        "tbd": tbd,
        "acceptancerate": models.AcceptanceRate.objects.get(),
        "course": course,
        "book": book,
        "paper": paper,
        "lstm": lstm,
        "community": community,
    }


def changelist(model):
    return reverse(f"admin:resources_{model}_changelist")


def rows(response):
    """The objects listed on a changelist page."""
    return list(response.context["cl"].result_list)


# --- every page renders -----------------------------------------------------------------------------


@pytest.mark.parametrize("model", MODELS)
def test_changelist_add_and_change_pages_render(curator_client, admin_catalogue, model):
    response = curator_client.get(changelist(model))
    assert response.status_code == 200
    assert rows(response)
    assert curator_client.get(reverse(f"admin:resources_{model}_add")).status_code == 200
    obj = admin_catalogue[model]
    response = curator_client.get(reverse(f"admin:resources_{model}_change", args=[obj.pk]))
    assert response.status_code == 200


@pytest.mark.parametrize("model", MODELS)
def test_anonymous_and_plain_users_are_sent_to_the_login(client, admin_catalogue, model):
    response = client.get(changelist(model))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("admin:login"))
    client.force_login(factories.UserFactory(username="learner"))
    response = client.get(changelist(model))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("admin:login"))


def test_staff_without_permissions_cannot_see_the_catalogue(client, admin_catalogue):
    client.force_login(factories.UserFactory(username="intern", is_staff=True))
    assert client.get(changelist("paper")).status_code == 403


def test_series_list_shows_ranks_and_edition_counts(curator_client, admin_catalogue):
    factories.ConferenceEditionFactory(series=admin_catalogue["conferenceseries"], year=2025)
    response = curator_client.get(changelist("conferenceseries"))
    listed = {s.short_name: s for s in rows(response)}
    assert listed["NeurIPS"].edition_count == 2
    assert listed["ECCV"].edition_count == 1
    html = response.content.decode()
    assert "CORE A*" in html
    assert "CCF B" in html


def test_deadline_list_shows_utc_instant_local_time_and_tbd(curator_client, admin_catalogue):
    html = curator_client.get(changelist("deadline")).content.decode()
    assert "2026-12-15 11:59:59 UTC" in html
    assert "2026-12-14 23:59:59 AoE" in html
    assert "TBD" in html


def test_timestamps_are_read_only_and_descriptions_grouped(curator_client, admin_catalogue):
    paper = admin_catalogue["paper"]
    html = curator_client.get(reverse("admin:resources_paper_change", args=[paper.pk])).content.decode()
    assert 'name="created_at"' not in html
    assert 'name="published_at"' not in html
    assert 'name="description_en"' in html
    assert 'name="description_zh"' in html
    assert "Descriptions" in html


# --- search and filters -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("model", "term", "expected"),
    [
        ("conferenceseries", "neurips", "NeurIPS"),
        ("paper", "attention", "Attention Is All You Need"),
        ("paper", "Shazeer", "Attention Is All You Need"),
        ("paper", "Jürgen", "Long Short-Term Memory"),
        ("paper", "1706.03762", "Attention Is All You Need"),
        ("paper", "https://arxiv.org/abs/1706.03762", "Attention Is All You Need"),
        ("paper", "https://doi.org/10.48550/arXiv.1706.03762", "Attention Is All You Need"),
        ("paper", "vaswani2017attention", "Attention Is All You Need"),
        ("book", "Bengio", "Deep Learning"),
        ("book", "978-0-262-03561-3", "Deep Learning"),
        ("course", "Specialization", "Deep Learning Specialization"),
        ("community", "知乎", "知乎"),
        ("topic", "大语言", "Large language models"),
        ("conferenceedition", "neurips", "NeurIPS 2026"),
        ("deadline", "NeurIPS", "NeurIPS 2026 — Full paper"),
        ("acceptancerate", "NeurIPS", "NeurIPS 2024"),
    ],
)
def test_search(curator_client, admin_catalogue, model, term, expected):
    response = curator_client.get(changelist(model), {"q": term})
    assert response.status_code == 200
    found = [str(obj) for obj in rows(response)]
    assert expected in found, found


@pytest.mark.parametrize(
    ("model", "params", "expected"),
    [
        ("conferenceseries", {"status__exact": "draft"}, ["ECCV"]),
        ("conferenceseries", {"ccf_rank__exact": "A"}, ["NeurIPS"]),
        ("conferenceseries", {"core_rank__exact": "A*"}, ["NeurIPS"]),
        ("conferenceseries", {"field__exact": "CV"}, ["ECCV"]),
        ("conferenceseries", {"kind__exact": "academic"}, ["ECCV", "NeurIPS"]),
        ("conferenceseries", {"topics__id__exact": "{llm}"}, ["NeurIPS"]),
        ("conferenceedition", {"series__status__exact": "draft"}, ["ECCV 2026"]),
        ("deadline", {"tbd": "yes"}, ["NeurIPS 2026 — Camera-ready"]),
        ("deadline", {"tbd": "no"}, ["NeurIPS 2026 — Full paper"]),
        ("deadline", {"kind__exact": "paper"}, ["NeurIPS 2026 — Full paper"]),
        ("course", {"language": "zh"}, ["Deep Learning Specialization"]),
        ("course", {"is_free__exact": "1"}, ["Practical Deep Learning for Coders"]),
        ("course", {"level__exact": "intermediate"}, ["Deep Learning Specialization"]),
        ("paper", {"status__exact": "draft"}, ["Long Short-Term Memory"]),
        ("paper", {"year": "2017"}, ["Attention Is All You Need"]),
        ("paper", {"topics__id__exact": "{nlp}"}, ["Attention Is All You Need"]),
        ("book", {"language": "en"}, ["Deep Learning"]),
        ("community", {"language": "zh"}, ["知乎"]),
        ("community", {"kind__exact": "qa"}, ["Stack Overflow", "知乎"]),
    ],
)
def test_filters(curator_client, admin_catalogue, model, params, expected):
    ids = {"llm": models.Topic.objects.get(slug="llm").pk, "nlp": models.Topic.objects.get(slug="nlp").pk}
    params = {k: v.format(**ids) for k, v in params.items()}
    response = curator_client.get(changelist(model), params)
    assert response.status_code == 200
    assert sorted(str(obj) for obj in rows(response)) == expected


@pytest.mark.parametrize(
    ("model", "field", "term", "expected"),
    [
        ("paper", "topics", "language", "Large language models"),
        ("paper", "cites", "short-term", "Long Short-Term Memory"),
        ("paper", "venue_edition", "neurips", "NeurIPS 2026"),
        ("conferenceedition", "series", "neur", "NeurIPS"),
        ("topic", "parent", "large", "Large language models"),
        ("deadline", "edition", "neurips", "NeurIPS 2026"),
    ],
)
def test_autocomplete_answers(curator_client, admin_catalogue, model, field, term, expected):
    response = curator_client.get(
        reverse("admin:autocomplete"),
        {"app_label": "resources", "model_name": model, "field_name": field, "term": term},
    )
    assert response.status_code == 200
    assert expected in [r["text"] for r in json.loads(response.content)["results"]]


# --- bulk publish / unpublish ----------------------------------------------------------------------


def test_publish_selected_sets_status_and_date_in_one_update(curator_client, admin_catalogue, curator):
    drafts = [factories.PaperFactory(status=models.Status.DRAFT) for _ in range(3)]
    already = admin_catalogue["paper"]
    before = already.published_at
    selected = [p.pk for p in drafts] + [already.pk]
    with CaptureQueriesContext(connection) as queries:
        response = curator_client.post(
            changelist("paper"),
            {"action": "publish_selected", "_selected_action": selected},
            follow=True,
        )
    updates = [q["sql"] for q in queries if q["sql"].startswith("UPDATE") and "resources_paper" in q["sql"]]
    assert len(updates) == 1
    assert "3 papers published." in [str(m) for m in response.context["messages"]]
    for paper in drafts:
        paper.refresh_from_db()
        assert paper.status == models.Status.PUBLISHED
        assert paper.published_at is not None
    already.refresh_from_db()
    assert already.published_at == before
    assert LogEntry.objects.filter(user=curator).count() == 3


def test_unpublish_selected(curator_client, admin_catalogue):
    series = admin_catalogue["conferenceseries"]
    response = curator_client.post(
        changelist("conferenceseries"),
        {"action": "unpublish_selected", "_selected_action": [series.pk]},
        follow=True,
    )
    assert "1 conference series unpublished (back to draft)." in [
        str(m) for m in response.context["messages"]
    ]
    series.refresh_from_db()
    assert series.status == models.Status.DRAFT
    assert series.published_at is None


def test_publishing_what_is_published_changes_nothing(curator_client, admin_catalogue):
    course = admin_catalogue["course"]
    stamp = course.updated_at
    response = curator_client.post(
        changelist("course"), {"action": "publish_selected", "_selected_action": [course.pk]}, follow=True
    )
    assert any("Nothing changed" in str(m) for m in response.context["messages"])
    course.refresh_from_db()
    assert course.updated_at == stamp


def test_bulk_actions_need_change_permission(client, admin_catalogue):
    viewer = factories.UserFactory(username="viewer", is_staff=True)
    viewer.user_permissions.set(Permission.objects.filter(codename="view_paper"))
    client.force_login(viewer)
    lstm = admin_catalogue["lstm"]
    response = client.get(changelist("paper"))
    assert response.status_code == 200
    assert "publish_selected" not in response.content.decode()
    client.post(changelist("paper"), {"action": "publish_selected", "_selected_action": [lstm.pk]})
    lstm.refresh_from_db()
    assert lstm.status == models.Status.DRAFT


# --- view on site ------------------------------------------------------------------------------------


def test_view_on_site_only_for_published_items_with_a_public_page(curator_client, admin_catalogue):
    from django.contrib import admin

    paper_admin = PaperAdmin(models.Paper, admin.site)
    assert paper_admin.view_on_site(admin_catalogue["lstm"]) is None  # a draft has no public page
    try:
        expected = admin_catalogue["paper"].get_absolute_url()
    except NoReverseMatch:
        expected = None  # the public pages are not routed: no link rather than a broken one
    assert paper_admin.view_on_site(admin_catalogue["paper"]) == expected
    if expected:
        page = curator_client.get(reverse("admin:resources_paper_change", args=[admin_catalogue["paper"].pk]))
        assert f'href="{expected}"' in page.content.decode()


# --- a curator's task, by POSTs alone ---------------------------------------------------------------


def management(prefix, total=0, initial=0):
    return {
        f"{prefix}-TOTAL_FORMS": str(total),
        f"{prefix}-INITIAL_FORMS": str(initial),
        f"{prefix}-MIN_NUM_FORMS": "0",
        f"{prefix}-MAX_NUM_FORMS": "1000",
    }


def test_curator_creates_series_edition_and_deadline_then_publishes(curator_client, admin_catalogue):
    topic = admin_catalogue["topic"]
    response = curator_client.post(
        reverse("admin:resources_conferenceseries_add"),
        {
            "short_name": "ICML",
            "full_name": "International Conference on Machine Learning",
            "slug": "",  # made from the short name
            "status": "draft",
            "kind": "academic",
            "field": "AI",
            "topics": [topic.pk],
            "ccf_rank": "A",
            "core_rank": "A*",
            "thcpl_rank": "",
            "homepage": "https://icml.cc/",
            "dblp_key": "conf/icml",
            "description_en": "Machine learning research.",
            "description_zh": "机器学习研究。",
            **management("editions"),
            **management("acceptance_rates", total=1),
            "acceptance_rates-0-year": "2024",
            "acceptance_rates-0-submitted": "9473",
            "acceptance_rates-0-accepted": "2610",
            "acceptance_rates-0-rate": "0.2755",
            "acceptance_rates-0-source": "https://icml.cc/",
        },
    )
    assert response.status_code == 302, response.context["adminform"].form.errors
    series = models.ConferenceSeries.objects.get(short_name="ICML")
    assert series.slug == "icml"
    assert list(series.topics.all()) == [topic]
    assert series.acceptance_rates.get().accepted == 2610

    response = curator_client.post(
        reverse("admin:resources_conferenceedition_add"),
        {
            "series": series.pk,
            "year": "2026",
            "ccf_id": "icml26",
            "hf_id": "icml26",
            "date_text": "July 6-11, 2026",
            "start_date": "2026-07-06",
            "end_date": "2026-07-11",
            "timezone": "AoE",
            "place_text": "Seoul, South Korea",
            "city": "Seoul",
            "country": "South Korea",
            "venue": "COEX",
            "link": "https://icml.cc/Conferences/2026",
            "note": "",
            **management("deadlines", total=1),
            "deadlines-0-kind": "paper",
            "deadlines-0-label": "Full paper",
            "deadlines-0-at_0": "",  # computed from the local time and zone
            "deadlines-0-at_1": "",
            "deadlines-0-local": "2026-01-28 23:59:59",
            "deadlines-0-timezone": "AoE",
            "deadlines-0-comment": "",
        },
    )
    assert response.status_code == 302, response.context["adminform"].form.errors
    edition = series.editions.get()
    deadline = edition.deadlines.get()
    assert deadline.at == dt.datetime(2026, 1, 29, 11, 59, 59, tzinfo=dt.UTC)

    response = curator_client.post(
        changelist("conferenceseries"),
        {"action": "publish_selected", "_selected_action": [series.pk]},
    )
    assert response.status_code == 302
    series.refresh_from_db()
    assert series.status == models.Status.PUBLISHED
    assert models.Deadline.objects.published().filter(pk=deadline.pk).exists()


def deadline_post(edition, local, zone, at=("", "")):
    return {
        "edition": edition.pk,
        "kind": "paper",
        "label": "Full paper",
        "local": local,
        "timezone": zone,
        "at_0": at[0],
        "at_1": at[1],
        "comment": "",
    }


@pytest.mark.parametrize(
    ("local", "zone", "expected"),
    [
        ("2026-07-15 23:59", "PT", dt.datetime(2026, 7, 16, 6, 59, tzinfo=dt.UTC)),  # PDT, UTC−7
        ("2026-01-15 23:59", "PST", dt.datetime(2026, 1, 16, 7, 59, tzinfo=dt.UTC)),  # PST, UTC−8
        ("2026-05-01 12:00:00", "UTC+8", dt.datetime(2026, 5, 1, 4, 0, tzinfo=dt.UTC)),
        ("2026-05-01 12:00:00", "UTC-12", dt.datetime(2026, 5, 2, 0, 0, tzinfo=dt.UTC)),
        ("2026-03-01 09:00", "Europe/Vienna", dt.datetime(2026, 3, 1, 8, 0, tzinfo=dt.UTC)),
        ("TBD", "AoE", None),
    ],
)
def test_deadline_instant_is_computed_from_local_time_and_zone(
    curator_client, admin_catalogue, local, zone, expected
):
    edition = factories.ConferenceEditionFactory(year=2027)
    response = curator_client.post(
        reverse("admin:resources_deadline_add"), deadline_post(edition, local, zone)
    )
    assert response.status_code == 302, response.context["adminform"].form.errors
    assert edition.deadlines.get().at == expected


@pytest.mark.parametrize(
    ("local", "zone", "at", "field", "words"),
    [
        ("2026-01-28 23:59:59", "AoE", ("2026-01-28", "23:59:59"), "at", "2026-01-29 11:59:59 UTC"),
        ("2026-01-28 23:59:59", "Mars/Olympus", ("", ""), "timezone", "Mars/Olympus"),
        ("2026-02-30 23:59:59", "AoE", ("", ""), "local", "impossible"),
    ],
    ids=["contradicting-instant", "unknown-zone", "impossible-date"],
)
def test_deadline_form_refuses_what_does_not_add_up(
    curator_client, admin_catalogue, local, zone, at, field, words
):
    edition = factories.ConferenceEditionFactory(year=2027)
    response = curator_client.post(
        reverse("admin:resources_deadline_add"), deadline_post(edition, local, zone, at)
    )
    assert response.status_code == 200
    errors = response.context["adminform"].form.errors
    assert words in " ".join(errors[field]), errors
    assert not edition.deadlines.exists()


def test_curator_adds_a_paper_and_a_book_with_identifiers_as_pasted(curator_client, admin_catalogue):
    response = curator_client.post(
        reverse("admin:resources_paper_add"),
        {
            "title": "BERT: Pre-training of Deep Bidirectional Transformers for Language Understanding",
            "slug": "",
            "status": "published",
            "authors": "Jacob Devlin\nMing-Wei Chang\nKenton Lee\nKristina Toutanova\n",
            "year": "2019",
            "topics": [admin_catalogue["topic"].pk],
            "venue": "NAACL 2019",
            "arxiv_id": "arXiv:1810.04805",
            "doi": "https://doi.org/10.18653/v1/N19-1423",
            "bibtex_key": "devlin2019bert",
            "cites": [admin_catalogue["paper"].pk],
        },
    )
    assert response.status_code == 302, response.context["adminform"].form.errors
    bert = models.Paper.objects.get(bibtex_key="devlin2019bert")
    assert bert.authors == ["Jacob Devlin", "Ming-Wei Chang", "Kenton Lee", "Kristina Toutanova"]
    assert (bert.arxiv_id, bert.doi) == ("1810.04805", "10.18653/v1/N19-1423")
    assert bert.slug.startswith("bert-pre-training")
    assert bert.published_at is not None
    assert list(bert.cites.all()) == [admin_catalogue["paper"]]

    response = curator_client.post(
        reverse("admin:resources_book_add"),
        {
            "title": "Foundations of Statistical Natural Language Processing",
            "slug": "",
            "status": "draft",
            "authors": "Christopher D. Manning\nHinrich Schütze",
            "publisher": "MIT Press",
            "year": "1999",
            "isbn13": "0-262-13360-1",
            "language": "en",
        },
    )
    assert response.status_code == 302, response.context["adminform"].form.errors
    book = models.Book.objects.get(slug="foundations-of-statistical-natural-language-processing")
    assert book.isbn13 == "9780262133609"
    assert book.authors == ["Christopher D. Manning", "Hinrich Schütze"]


def test_a_bad_isbn_is_a_form_error_and_writes_nothing(curator_client):
    response = curator_client.post(
        reverse("admin:resources_book_add"),
        {"title": "Broken", "status": "draft", "authors": "Somebody", "isbn13": "978-0-262-03561-4"},
    )
    assert response.status_code == 200
    assert "checksum" in str(response.context["adminform"].form.errors["isbn13"])
    assert not models.Book.objects.exists()


def test_curator_edits_a_course_keeping_its_lists(curator_client, admin_catalogue):
    course = admin_catalogue["course"]
    response = curator_client.get(reverse("admin:resources_course_change", args=[course.pk]))
    form = response.context["adminform"].form
    assert form["languages"].value() == "en\nzh"


# --- bounded queries -----------------------------------------------------------------------------


def make_rows(model, n):
    topics = [factories.TopicFactory(slug=f"bulk-{i}") for i in range(3)]
    for _ in range(n):
        if model == "topic":
            factories.TopicFactory(parent=topics[0])
        elif model == "conferenceseries":
            series = factories.ConferenceSeriesFactory()
            series.topics.set(topics)
            factories.ConferenceEditionFactory(series=series, year=2025)
            factories.ConferenceEditionFactory(series=series, year=2026)
        elif model in ("conferenceedition", "deadline"):
            factories.DeadlineFactory()
        elif model == "acceptancerate":
            factories.AcceptanceRateFactory()
        else:
            obj = getattr(factories, f"{model.capitalize()}Factory")()
            obj.topics.set(topics)
            if model == "paper":
                obj.venue_edition = factories.ConferenceEditionFactory()
                obj.save()


# Queries of every changelist page, for a staff curator with permissions given to the user:
# session, user, user permissions, group permissions (4); then per model the filters' choices
# (RelatedFieldListFilter / AllValuesFieldListFilter, one query each), the filtered count and the
# full count (2), the page's rows with their select_related joins and annotations (1), and one
# prefetch of topics where the list shows them.
CHANGELIST_QUERIES = {
    "topic": 4 + 1 + 2 + 1,  # parent filter; rows
    "conferenceseries": 4 + 2 + 2 + 1,  # field, topics filters; rows with edition counts
    "conferenceedition": 4 + 3 + 2 + 1,  # year, series field, topics filters; rows
    "deadline": 4 + 2 + 2 + 1,  # edition year, series field filters; rows
    "acceptancerate": 4 + 2 + 2 + 1,  # year, series field filters; rows
    "course": 4 + 3 + 2 + 1 + 1,  # languages, provider, topics filters; rows; topics
    "book": 4 + 3 + 2 + 1 + 1,  # language, year, topics filters; rows; topics
    "paper": 4 + 3 + 2 + 1 + 1,  # year, topics, series filters; rows; topics
    "community": 4 + 2 + 2 + 1 + 1,  # language, topics filters; rows; topics
}


@pytest.mark.parametrize("model", MODELS)
def test_changelist_queries_do_not_grow_with_rows(curator_client, model):
    make_rows(model, 10)
    url = changelist(model)
    with CaptureQueriesContext(connection) as ten:
        response = curator_client.get(url)
    assert len(rows(response)) >= 10
    make_rows(model, 40)
    with CaptureQueriesContext(connection) as fifty:
        response = curator_client.get(url)
    assert len(rows(response)) >= 50
    assert len(ten) == len(fifty), [q["sql"] for q in fifty]
    assert len(fifty) == CHANGELIST_QUERIES[model], [q["sql"] for q in fifty]
