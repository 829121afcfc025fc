"""The admin's import pages: upload, dry-run report, confirm; bad files, limits and permissions."""

import datetime as dt

import pytest
from django.contrib.auth.models import Permission
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from resources import models
from resources.admin.imports import SESSION_KEY
from tests import factories

pytestmark = pytest.mark.django_db

DEADLINES_URL = "admin:resources_conferenceseries_import"
BIBTEX_URL = "admin:resources_paper_import"
CATALOGUE_URL = "admin:resources_course_import"

BIB = """\
@article{vaswani2017attention,
  title   = {Attention Is All You Need},
  author  = {Vaswani, Ashish and Shazeer, Noam and Parmar, Niki},
  journal = {arXiv preprint arXiv:1706.03762},
  year    = {2017},
}

@book{goodfellow2016deep,
  title     = {Deep Learning},
  author    = {Goodfellow, Ian and Bengio, Yoshua and Courville, Aaron},
  publisher = {MIT Press},
  year      = {2016},
  isbn      = {978-0-262-03561-3},
}
"""

BROKEN_BIB = """\
@book{broken2020,
  title  = {A Book With A Wrong ISBN},
  author = {Nobody, Some},
  year   = {2020},
  isbn   = {978-0-262-03561-4},
}
"""

# One edition in the Hugging Face ai-deadlines format.
HF_YAML = """\
- title: TESTCONF
  year: 2027
  id: testconf27
  full_name: Test Conference on Learning
  link: https://example.org/2027/
  deadlines:
  - type: submission
    label: Paper Submission Deadline
    date: '2026-08-28 23:59:59'
    timezone: AoE
  date: April 6-9, 2027
  start: 2027-04-06
  end: 2027-04-09
  city: Vienna
  country: Austria
"""

# Curated catalogue entries, in the format of resources/catalogue/*.yml.
COURSES_YAML = """\
courses:
  - slug: test-course
    title: "A Course on Testing"
    provider: Example University
    instructors: [Ada Lovelace, Alan Turing]
    url: https://example.org/course/
    level: beginner
    languages: [en, zh]
    free: true
    duration: 6 weeks
    topics: [testing]
    description_en: A course on testing.
    description_zh: 一门关于测试的课程。
"""

BROKEN_YAML = "- title: TESTCONF\n  year: [2027\n  deadlines: {\n"

UNKNOWN_ZONE_YAML = HF_YAML.replace("timezone: AoE", "timezone: Mars/Olympus_Mons")


@pytest.fixture(autouse=True)
def staging_dir(settings, tmp_path):
    settings.VAR_DIR = tmp_path
    return tmp_path / "imports"


def upload(name, text, content_type="text/plain"):
    data = text.encode("utf-8") if isinstance(text, str) else text
    return SimpleUploadedFile(name, data, content_type=content_type)


def messages_of(response):
    return [str(m) for m in response.context["messages"]]


def staged_folders(staging_dir):
    return sorted(p.name for p in staging_dir.iterdir()) if staging_dir.exists() else []


# --- buttons and pages ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("model", "url_name"),
    [
        ("conferenceseries", DEADLINES_URL),
        # Where curators look for deadlines, too.
        ("deadline", "admin:resources_deadline_import"),
        ("conferenceedition", "admin:resources_conferenceedition_import"),
        ("acceptancerate", "admin:resources_acceptancerate_import"),
        ("paper", BIBTEX_URL),
        ("book", "admin:resources_book_import"),
        ("course", CATALOGUE_URL),
        ("topic", "admin:resources_topic_import"),
        ("community", "admin:resources_community_import"),
    ],
)
def test_changelist_has_an_import_button(curator_client, model, url_name):
    html = curator_client.get(reverse(f"admin:resources_{model}_changelist")).content.decode()
    assert f'href="{reverse(url_name)}"' in html
    page = curator_client.get(reverse(url_name))
    assert page.status_code == 200
    assert 'type="file"' in page.content.decode()


def test_no_button_without_add_permission(client):
    viewer = factories.UserFactory(username="viewer", is_staff=True)
    viewer.user_permissions.set(Permission.objects.filter(codename__in=["view_paper", "change_paper"]))
    client.force_login(viewer)
    html = client.get(reverse("admin:resources_paper_changelist")).content.decode()
    assert reverse(BIBTEX_URL) not in html


@pytest.mark.parametrize("url_name", [DEADLINES_URL, BIBTEX_URL, CATALOGUE_URL])
def test_anonymous_and_plain_users_are_sent_to_the_login(client, url_name):
    url = reverse(url_name)
    for response in (client.get(url), client.post(url, {"file": upload("x.bib", BIB)})):
        assert response.status_code == 302
        assert response["Location"].startswith(reverse("admin:login"))
    client.force_login(factories.UserFactory(username="learner"))
    response = client.post(url, {"file": upload("x.bib", BIB)})
    assert response.status_code == 302
    assert not models.Paper.objects.exists()


@pytest.mark.parametrize("url_name", [DEADLINES_URL, BIBTEX_URL, CATALOGUE_URL])
def test_staff_without_add_and_change_permissions_get_403(client, url_name, staging_dir):
    viewer = factories.UserFactory(username="viewer", is_staff=True)
    viewer.user_permissions.set(Permission.objects.filter(codename__startswith="view_"))
    client.force_login(viewer)
    assert client.get(reverse(url_name)).status_code == 403
    assert client.post(reverse(url_name), {"file": upload("x.bib", BIB)}).status_code == 403
    assert client.post(reverse(url_name), {"token": "0" * 32}).status_code == 403
    assert staged_folders(staging_dir) == []


# --- BibTeX: dry run, confirm ----------------------------------------------------------------------


def test_bibtex_dry_run_shows_the_report_and_writes_nothing(curator_client, staging_dir):
    response = curator_client.post(reverse(BIBTEX_URL), {"file": upload("reading-list.bib", BIB)})
    assert response.status_code == 200
    report = response.context["report"]
    assert report.dry_run and report.ok
    assert report.total("created") == 2
    assert [row["file"] for row in response.context["rows"]] == ["reading-list.bib"]
    html = response.content.decode()
    assert "Confirm import" in html
    assert str(staging_dir) not in html  # the server's path never reaches the page
    assert not models.Paper.objects.exists()
    assert not models.Book.objects.exists()
    (token,) = staged_folders(staging_dir)
    assert (staging_dir / token / "reading-list.bib").read_text() == BIB
    assert token in curator_client.session[SESSION_KEY]


def test_bibtex_confirm_imports_and_cleans_up(curator_client, staging_dir):
    response = curator_client.post(reverse(BIBTEX_URL), {"file": upload("reading-list.bib", BIB)})
    token = response.context["confirm_form"].initial["token"]
    response = curator_client.post(reverse(BIBTEX_URL), {"token": token}, follow=True)
    assert response.redirect_chain[-1][0] == reverse("admin:resources_paper_changelist")
    assert (
        "Imported reading-list.bib: created 2, updated 0, unchanged 0; failed files 0 of 1."
        in messages_of(response)
    )
    paper = models.Paper.objects.get()
    assert (paper.arxiv_id, paper.status) == ("1706.03762", models.Status.PUBLISHED)
    assert models.Book.objects.get().isbn13 == "9780262035613"
    assert staged_folders(staging_dir) == []
    assert token not in curator_client.session[SESSION_KEY]

    # The same token cannot be used twice.
    response = curator_client.post(reverse(BIBTEX_URL), {"token": token}, follow=True)
    assert any("no longer waiting" in m for m in messages_of(response))
    assert models.Paper.objects.count() == 1

    # Importing the file again changes nothing.
    response = curator_client.post(reverse(BIBTEX_URL), {"file": upload("reading-list.bib", BIB)})
    report = response.context["report"]
    assert (report.total("created"), report.total("updated"), report.total("unchanged")) == (0, 0, 2)


def test_bibtex_import_as_drafts(curator_client):
    response = curator_client.post(reverse(BIBTEX_URL), {"file": upload("list.bib", BIB), "draft": "on"})
    token = response.context["confirm_form"].initial["token"]
    curator_client.post(reverse(BIBTEX_URL), {"token": token})
    assert models.Paper.objects.get().status == models.Status.DRAFT


def test_deadline_yaml_import_as_drafts(curator_client):
    form = curator_client.get(reverse("admin:resources_deadline_import")).content.decode()
    assert 'name="draft"' in form
    response = curator_client.post(
        reverse("admin:resources_deadline_import"), {"file": upload("testconf.yml", HF_YAML), "draft": "on"}
    )
    token = response.context["confirm_form"].initial["token"]
    curator_client.post(reverse("admin:resources_deadline_import"), {"token": token})
    series = models.ConferenceSeries.objects.get(short_name="TESTCONF")
    assert (series.status, series.published_at) == (models.Status.DRAFT, None)
    assert series.editions.get().deadlines.count() == 1
    # A series that exists keeps its status: a later import as drafts does not unpublish it.
    series.status = models.Status.PUBLISHED
    series.save()
    response = curator_client.post(
        reverse("admin:resources_deadline_import"), {"file": upload("testconf.yml", HF_YAML), "draft": "on"}
    )
    curator_client.post(
        reverse("admin:resources_deadline_import"),
        {"token": response.context["confirm_form"].initial["token"]},
    )
    series.refresh_from_db()
    assert series.status == models.Status.PUBLISHED


def test_catalogue_yaml_import_as_drafts(curator_client):
    factories.TopicFactory(slug="testing")
    # Drafts even where the entry asks to be published: the curator reviews them first.
    courses = COURSES_YAML.replace("    free: true\n", "    free: true\n    status: published\n")
    response = curator_client.post(
        reverse(CATALOGUE_URL), {"file": upload("courses.yml", courses), "draft": "on"}
    )
    assert response.context["report"].ok, response.context["rows"]
    curator_client.post(reverse(CATALOGUE_URL), {"token": response.context["confirm_form"].initial["token"]})
    assert models.Course.objects.get(slug="test-course").status == models.Status.DRAFT


def test_broken_bibtex_shows_file_entry_and_reason_and_writes_nothing(curator_client, staging_dir):
    response = curator_client.post(reverse(BIBTEX_URL), {"file": upload("broken.bib", BROKEN_BIB)})
    assert response.status_code == 200
    assert "confirm_form" not in response.context
    ((file, entry, reason),) = [
        (row["file"], row["entry"], row["reason"]) for row in response.context["rows"] if row["reason"]
    ]
    assert file == "broken.bib"
    assert "broken2020" in entry
    assert "checksum" in reason.lower()
    assert "Confirm import" not in response.content.decode()
    assert not models.Book.objects.exists()
    assert staged_folders(staging_dir) == []
    assert not curator_client.session.get(SESSION_KEY)


# --- deadlines: dry run, confirm -------------------------------------------------------------------


def test_deadlines_dry_run_then_confirm(curator_client, staging_dir):
    response = curator_client.post(reverse(DEADLINES_URL), {"file": upload("testconf.yml", HF_YAML)})
    assert response.status_code == 200
    report = response.context["report"]
    assert report.ok, report.errors
    assert report.total("created") >= 2  # at least the edition and its deadline
    assert not models.ConferenceEdition.objects.exists()
    assert not models.Deadline.objects.exists()

    token = response.context["confirm_form"].initial["token"]
    response = curator_client.post(reverse(DEADLINES_URL), {"token": token}, follow=True)
    assert response.redirect_chain[-1][0] == reverse("admin:resources_conferenceseries_changelist")
    assert any(m.startswith("Imported testconf.yml: created") for m in messages_of(response))
    edition = models.ConferenceEdition.objects.get(hf_id="testconf27")
    deadline = edition.deadlines.get()
    # 23:59:59 Anywhere on Earth (UTC−12) is 11:59:59 UTC the next day.
    assert deadline.at == dt.datetime(2026, 8, 29, 11, 59, 59, tzinfo=dt.UTC)
    assert staged_folders(staging_dir) == []


def test_the_dry_run_report_shows_what_was_read_differently(curator_client, staging_dir):
    # The date text says 2027; start and end slipped to 2026: read as 2027, and the curator is told.
    text = HF_YAML.replace("start: 2027-04-06", "start: 2026-04-06")
    text = text.replace("end: 2027-04-09", "end: 2026-04-09")
    response = curator_client.post(reverse(DEADLINES_URL), {"file": upload("slip.yml", text)})
    assert response.context["report"].ok
    [row] = response.context["rows"]
    assert row["warnings"] == [
        "testconf/2027: 'start' and 'end' (2026-04-06 to 2026-04-09) read as 2027-04-06 to 2027-04-09: "
        "the edition is 2027 and its date says 'April 6-9, 2027'"
    ]
    assert "Warning: testconf/2027: &#x27;start&#x27; and &#x27;end&#x27;" in response.content.decode()


def test_the_dry_run_lists_each_row_it_would_write_and_every_error_with_its_line(curator_client, staging_dir):
    response = curator_client.post(reverse(DEADLINES_URL), {"file": upload("testconf.yml", HF_YAML)})
    assert response.context["diff"] == [
        "created: conference series TESTCONF",
        "created: edition TESTCONF 2027",
        "created: deadline TESTCONF 2027 Paper Submission Deadline: 2026-08-28 23:59:59 (AoE)",
    ]
    assert "created: deadline TESTCONF 2027 Paper Submission Deadline" in response.content.decode()

    # Two bad editions in one file: both listed in one dry run, each with its line.
    second = HF_YAML.replace("TESTCONF", "OTHERCONF").replace("testconf27", "otherconf27")
    text = HF_YAML.replace("timezone: AoE", "timezone: Mars/Olympus_Mons") + second.replace(
        "timezone: AoE", "timezone: Venus/Maxwell"
    )
    response = curator_client.post(reverse(DEADLINES_URL), {"file": upload("two.yml", text)})
    assert not response.context["report"].ok
    (row,) = response.context["rows"]
    assert [(e["line"], e["entry"]) for e in row["errors"]] == [(1, "testconf/2027"), (16, "otherconf/2027")]
    page = response.content.decode()
    assert "line 1: testconf/2027" in page and "line 16: otherconf/2027" in page
    assert not models.ConferenceSeries.objects.exists()


@pytest.mark.parametrize(
    ("text", "words"),
    [(BROKEN_YAML, ["yaml"]), (UNKNOWN_ZONE_YAML, ["mars/olympus_mons"])],
    ids=["broken-yaml", "unknown-time-zone"],
)
def test_bad_deadline_file_shows_the_error_and_writes_nothing(curator_client, staging_dir, text, words):
    before = models.ConferenceSeries.objects.count()
    response = curator_client.post(reverse(DEADLINES_URL), {"file": upload("bad.yaml", text)})
    assert response.status_code == 200
    assert not response.context["report"].ok
    (row,) = response.context["rows"]
    assert row["file"] == "bad.yaml"
    assert all(word in row["reason"].lower() for word in words), row
    assert "Confirm import" not in response.content.decode()
    assert models.ConferenceSeries.objects.count() == before
    assert not models.ConferenceEdition.objects.exists()
    assert staged_folders(staging_dir) == []


# --- curated catalogue YAML: dry run, confirm -----------------------------------------------------


def test_catalogue_dry_run_then_confirm_then_unchanged(curator_client, staging_dir):
    factories.TopicFactory(slug="testing", name_en="Testing")
    # The upload's name need not be courses.yml: the file's one key says what it holds.
    response = curator_client.post(reverse(CATALOGUE_URL), {"file": upload("new courses.yml", COURSES_YAML)})
    report = response.context["report"]
    assert report.ok, report.errors
    assert report.total("created") == 1
    assert not models.Course.objects.exists()

    token = response.context["confirm_form"].initial["token"]
    response = curator_client.post(reverse(CATALOGUE_URL), {"token": token}, follow=True)
    assert response.redirect_chain[-1][0] == reverse("admin:resources_course_changelist")
    assert any(m.startswith("Imported new_courses.yml: created 1, updated 0") for m in messages_of(response))
    course = models.Course.objects.get(slug="test-course")
    assert (course.provider, course.instructors, course.languages, course.status) == (
        "Example University",
        ["Ada Lovelace", "Alan Turing"],
        ["en", "zh"],
        models.Status.PUBLISHED,
    )
    assert list(course.topics.values_list("slug", flat=True)) == ["testing"]
    assert staged_folders(staging_dir) == []

    response = curator_client.post(reverse(CATALOGUE_URL), {"file": upload("courses.yml", COURSES_YAML)})
    report = response.context["report"]
    assert (report.total("created"), report.total("updated"), report.total("unchanged")) == (0, 0, 1)


@pytest.mark.parametrize(
    ("text", "entry", "words"),
    [
        (COURSES_YAML, "course #1 (test-course)", "unknown topic slug(s): testing"),
        (COURSES_YAML.replace("courses:", "lectures:"), "(file)", "one of topics, conferences, papers"),
        (COURSES_YAML.replace("    free: true", "    free: true\n    price: 10"), "", "price"),
    ],
    ids=["unknown-topic", "unknown-kind", "unknown-key"],
)
def test_bad_catalogue_file_shows_the_error_and_writes_nothing(
    curator_client, staging_dir, text, entry, words
):
    response = curator_client.post(reverse(CATALOGUE_URL), {"file": upload("upload.yml", text)})
    report = response.context["report"]
    assert not report.ok
    [(_, got_entry, reason)] = report.errors
    assert entry in got_entry
    assert words in reason
    assert "confirm_form" not in response.context
    assert not models.Course.objects.exists()
    assert staged_folders(staging_dir) == []


# --- what the upload form refuses ------------------------------------------------------------------


def test_oversize_file_is_refused(curator_client, settings, staging_dir):
    settings.IMPORT_UPLOAD_MAX_BYTES = 100
    response = curator_client.post(reverse(BIBTEX_URL), {"file": upload("big.bib", BIB)})
    assert response.status_code == 200
    errors = response.context["form"].errors["file"]
    assert "the largest accepted is 100" in errors[0]
    assert "report" not in response.context
    assert staged_folders(staging_dir) == []


@pytest.mark.parametrize(
    ("url_name", "name", "content", "message"),
    [
        (BIBTEX_URL, "list.txt", BIB, "Upload a .bib file"),
        (BIBTEX_URL, "list.yml", HF_YAML, "Upload a .bib file"),
        (DEADLINES_URL, "conf.bib", BIB, "Upload a .yml / .yaml file"),
        (DEADLINES_URL, "conf", HF_YAML, "Upload a .yml / .yaml file"),
        (BIBTEX_URL, "latin1.bib", BIB.replace("Deep", "Tief Über").encode("latin-1"), "not UTF-8"),
        (DEADLINES_URL, "empty.yml", "  \n", "empty"),
    ],
)
def test_wrong_type_or_encoding_is_refused(curator_client, staging_dir, url_name, name, content, message):
    response = curator_client.post(reverse(url_name), {"file": upload(name, content)})
    assert response.status_code == 200
    assert message in response.context["form"].errors["file"][0]
    assert staged_folders(staging_dir) == []
    assert not models.Paper.objects.exists()


def test_no_file_is_a_form_error(curator_client):
    response = curator_client.post(reverse(BIBTEX_URL), {})
    assert response.context["form"].errors["file"]


# --- the token between the two steps ----------------------------------------------------------------


@pytest.mark.parametrize("token", ["../../etc/passwd", "0" * 32, "A" * 32, ""])
def test_a_forged_token_imports_nothing(curator_client, token):
    response = curator_client.post(reverse(BIBTEX_URL), {"token": token}, follow=True)
    assert any("no longer waiting" in m for m in messages_of(response))
    assert not models.Paper.objects.exists()


def test_a_token_from_another_session_imports_nothing(curator_client, client, curator):
    response = curator_client.post(reverse(BIBTEX_URL), {"file": upload("list.bib", BIB)})
    token = response.context["confirm_form"].initial["token"]
    other = factories.UserFactory(username="other-curator", is_staff=True)
    other.user_permissions.set(curator.user_permissions.all())
    from django.test import Client

    second = Client()
    second.force_login(other)
    response = second.post(reverse(BIBTEX_URL), {"token": token}, follow=True)
    assert any("no longer waiting" in m for m in messages_of(response))
    assert not models.Paper.objects.exists()


def test_a_token_of_the_other_importer_imports_nothing(curator_client):
    response = curator_client.post(reverse(BIBTEX_URL), {"file": upload("list.bib", BIB)})
    token = response.context["confirm_form"].initial["token"]
    response = curator_client.post(reverse(DEADLINES_URL), {"token": token}, follow=True)
    assert any("no longer waiting" in m for m in messages_of(response))
    assert not models.Paper.objects.exists()


def test_a_file_changed_between_the_steps_imports_nothing(curator_client, staging_dir):
    response = curator_client.post(reverse(BIBTEX_URL), {"file": upload("list.bib", BIB)})
    token = response.context["confirm_form"].initial["token"]
    (staging_dir / token / "list.bib").write_text(BIB.replace("Attention", "Distraction"))
    response = curator_client.post(reverse(BIBTEX_URL), {"token": token}, follow=True)
    assert any("no longer waiting" in m for m in messages_of(response))
    assert not models.Paper.objects.exists()
    assert staged_folders(staging_dir) == []


def test_an_expired_upload_imports_nothing_and_is_swept(curator_client, staging_dir, monkeypatch):
    import time

    from resources.admin import imports

    response = curator_client.post(reverse(BIBTEX_URL), {"file": upload("list.bib", BIB)})
    token = response.context["confirm_form"].initial["token"]
    later = time.time() + imports.STAGING_MAX_AGE.total_seconds() + 60
    monkeypatch.setattr(imports.time, "time", lambda: later)
    response = curator_client.post(reverse(BIBTEX_URL), {"token": token}, follow=True)
    assert any("no longer waiting" in m for m in messages_of(response))
    assert not models.Paper.objects.exists()
    assert staged_folders(staging_dir) == []


def test_a_file_name_cannot_leave_the_staging_folder(curator_client, staging_dir):
    response = curator_client.post(reverse(BIBTEX_URL), {"file": upload("../../evil.bib", BIB)})
    (token,) = staged_folders(staging_dir)
    assert [p.name for p in (staging_dir / token).iterdir()] == [response.context["staged"].name]
    assert (staging_dir / token / response.context["staged"].name).is_file()


# ccf-deadlines: a conference file, then its acceptance-rates file.
CCF_YAML = """\
- title: TESTCCF
  description: Test Conference of the CCF Format
  sub: AI
  rank:
    ccf: B
    core: A
    thcpl: N
  dblp: testccf
  confs:
    - year: 2026
      id: testccf26
      link: https://example.org/testccf26
      timeline:
        - abstract_deadline: '2026-01-20 23:59:59'
          deadline: '2026-01-27 23:59:59'
      timezone: UTC+8
      date: May 1-5, 2026
      place: Beijing, China
"""

CCF_RATES_YAML = """\
- title: TESTCCF
  accept_rates:
    - year: 2024
      submitted: 1000
      accepted: 250
      str: 25.0%(250/1000 24')
      rate: 0.25
      source: https://example.org/rates
"""


def dry_run_and_confirm(client, url, name, text):
    response = client.post(reverse(url), {"file": upload(name, text)})
    assert response.context["report"].ok, response.context["report"].errors
    token = response.context["confirm_form"].initial["token"]
    return client.post(reverse(url), {"token": token}, follow=True)


def test_ccf_deadlines_conference_and_acceptance_rate_files(curator_client):
    dry_run_and_confirm(curator_client, DEADLINES_URL, "testccf.yml", CCF_YAML)
    series = models.ConferenceSeries.objects.get(short_name="TESTCCF")
    assert (series.ccf_rank, series.core_rank) == ("B", "A")
    paper = models.Deadline.objects.get(edition__ccf_id="testccf26", kind=models.Deadline.Kind.PAPER)
    # 23:59:59 at UTC+8 is 15:59:59 UTC the same day.
    assert paper.at == dt.datetime(2026, 1, 27, 15, 59, 59, tzinfo=dt.UTC)

    response = dry_run_and_confirm(curator_client, DEADLINES_URL, "testccf-rates.yml", CCF_RATES_YAML)
    assert any(m.startswith("Imported testccf-rates.yml: created 1") for m in messages_of(response))
    assert series.acceptance_rates.get(year=2024).accepted == 250
