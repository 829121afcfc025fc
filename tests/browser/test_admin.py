"""A curator's round in the admin, in Chromium, with a screenshot of each page."""

from pathlib import Path

import pytest

from tests import factories
from tests.helpers import session_cookie

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

SAMPLE = Path(__file__).resolve().parents[1] / "resources" / "data" / "deadlines" / "hf_neurips.yml"


COURSES = """\
courses:
  - slug: fast-ai-practical-deep-learning
    title: Practical Deep Learning for Coders
    provider: fast.ai
    instructors: [Jeremy Howard]
    url: https://course.fast.ai/
    level: beginner
    languages: [en]
    free: true
    topics: [transformers]
    description_en: A top-down course that trains working models first and explains them after.
    description_zh: 自上而下的课程：先训练出能用的模型，再讲解其原理。
"""


def test_curator_browses_edits_and_previews_an_import(
    live_server, new_page, shot, neurips_catalogue, tmp_path
):
    curator = factories.UserFactory(username="curator", is_staff=True, is_superuser=True)
    page = new_page()
    page.context.add_cookies([session_cookie(curator, live_server)])

    page.goto(live_server.url + "/admin/")
    assert page.get_by_role("link", name="Conference series").first.is_visible()
    shot(page, "admin-index")

    page.goto(live_server.url + "/admin/resources/conferenceseries/")
    assert page.get_by_role("link", name="NeurIPS").is_visible()
    shot(page, "series-changelist")

    page.get_by_role("link", name="NeurIPS").click()
    page.wait_for_url("**/change/")
    assert page.locator("input[name=short_name]").input_value() == "NeurIPS"
    shot(page, "series-change-with-editions")

    page.goto(live_server.url + "/admin/resources/paper/")
    page.get_by_role("link", name=neurips_catalogue["paper"].title).click()
    page.wait_for_url("**/change/")
    assert page.locator("input[name=arxiv_id]").input_value() == "1706.03762"
    shot(page, "paper-change")

    # The import page: upload a deadline file and see the dry-run report before confirming.
    page.goto(live_server.url + "/admin/resources/conferenceseries/import/")
    shot(page, "import-form")
    page.locator("input[type=file]").set_input_files(str(SAMPLE))
    with page.expect_navigation():
        page.get_by_role("button", name="Upload and check").click()
    assert page.get_by_role("heading", name="Dry run: what the import would do").is_visible()
    shot(page, "import-dry-run-report")
    with page.expect_navigation():
        page.get_by_role("button", name="Confirm import").click()
    shot(page, "import-confirmed")

    # The curated catalogue's own YAML format, from the courses page: dry run, then confirm.
    page.goto(live_server.url + "/admin/resources/course/")
    with page.expect_navigation():
        page.get_by_role("link", name="Import catalogue YAML").click()
    (tmp_path / "courses.yml").write_text(COURSES, encoding="utf-8")
    page.locator("input[type=file]").set_input_files(str(tmp_path / "courses.yml"))
    with page.expect_navigation():
        page.get_by_role("button", name="Upload and check").click()
    assert page.locator("#import-report tbody tr").inner_text().split("\t")[:2] == ["courses.yml", "1"]
    shot(page, "catalogue-import-dry-run-report")
    with page.expect_navigation():
        page.get_by_role("button", name="Confirm import").click()
    assert page.get_by_role("link", name="Practical Deep Learning for Coders").is_visible()
    shot(page, "catalogue-import-confirmed")
