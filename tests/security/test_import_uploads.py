"""The admin's import pages take only small UTF-8 text files of their own type.

tests/resources/test_admin_import.py covers the messages in detail; here every import page is
tried with an oversized file, a PNG, a zip archive, a binary file with the right extension and a
wrong extension, and none of them stages or imports anything.
"""

import io
import zipfile

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from resources import models

pytestmark = pytest.mark.django_db

BIB = "@article{k2017,\n  title = {A Title},\n  author = {Doe, Jane},\n  year = {2017},\n}\n"
YAML = (
    "- title: UPCONF\n  year: 2027\n  id: upconf27\n  link: https://example.org/\n"
    "  deadlines:\n  - type: submission\n    label: Paper\n    date: '2026-08-28 23:59:59'\n"
    "    timezone: AoE\n"
)
TOPICS = (
    "topics:\n  - slug: uploads\n    name_en: Uploads\n    name_zh: 上传\n"
    "    description_en: Uploads.\n    description_zh: 上传。\n"
)
PAGES = {
    "admin:resources_paper_import": ("papers.bib", BIB),
    "admin:resources_book_import": ("books.bib", BIB),
    "admin:resources_conferenceseries_import": ("deadlines.yml", YAML),
    "admin:resources_topic_import": ("topics.yml", TOPICS),
    "admin:resources_course_import": ("topics.yml", TOPICS),
    "admin:resources_community_import": ("topics.yml", TOPICS),
}
PNG = (
    b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x01\x00\x00\x00\x01\x08\x06\x00\x00\x00\x1f\x15\xc4\x89"
    b"\x00\x00\x00\rIDATx\x9cc\xf8\x0f\x00\x00\x01\x01\x00\x05\x18\xd8N\x00\x00\x00\x00IEND\xaeB`\x82"
)


def zipped(name: str, text: str) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_STORED) as archive:
        archive.writestr(name, text)
    return buffer.getvalue()


def nothing_happened(tmp_path):
    staging = tmp_path / "imports"
    assert not (staging.exists() and any(staging.iterdir())), "an upload was staged"
    for model in (models.Paper, models.Book, models.ConferenceSeries, models.ConferenceEdition, models.Topic):
        assert not model.objects.exists(), f"a {model.__name__} was imported"


def post(client, url_name, name, content):
    data = content.encode() if isinstance(content, str) else content
    response = client.post(reverse(url_name), {"file": SimpleUploadedFile(name, data)})
    assert response.status_code == 200
    return response.context["form"].errors.get("file", [])


@pytest.mark.parametrize("url_name", sorted(PAGES))
def test_a_file_over_the_limit_is_refused(curator_client, settings, tmp_path, url_name):
    name, text = PAGES[url_name]
    settings.IMPORT_UPLOAD_MAX_BYTES = 64
    padded = text + "\n" * 200
    errors = post(curator_client, url_name, name, padded)
    assert any("the largest accepted is 64" in e for e in errors), errors
    nothing_happened(tmp_path)


@pytest.mark.parametrize("url_name", sorted(PAGES))
def test_a_file_just_under_the_limit_is_staged(curator_client, settings, tmp_path, url_name):
    """The control: the same page takes a good file of the allowed size."""
    name, text = PAGES[url_name]
    settings.IMPORT_UPLOAD_MAX_BYTES = len(text.encode())
    response = curator_client.post(reverse(url_name), {"file": SimpleUploadedFile(name, text.encode())})
    assert "report" in response.context, response.context["form"].errors
    assert any((tmp_path / "imports").iterdir())


@pytest.mark.parametrize("url_name", sorted(PAGES))
@pytest.mark.parametrize(
    ("kind", "make"),
    [
        ("png with its own name", lambda name, text: ("picture.png", PNG)),
        ("png renamed", lambda name, text: (name, PNG)),
        ("zip renamed", lambda name, text: (name, zipped("inner" + name[name.rfind(".") :], text))),
        ("zip", lambda name, text: ("archive.zip", zipped(name, text))),
        ("wrong extension", lambda name, text: (name + ".exe", text)),
        ("no extension", lambda name, text: ("upload", text)),
        ("text with NUL bytes", lambda name, text: (name, text + "\x00\x00\x01")),
    ],
)
def test_a_file_that_is_not_text_of_the_right_type_is_refused(curator_client, tmp_path, url_name, kind, make):
    name, content = make(*PAGES[url_name])
    errors = post(curator_client, url_name, name, content)
    assert errors, f"{kind} was accepted"
    nothing_happened(tmp_path)
