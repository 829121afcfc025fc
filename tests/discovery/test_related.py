"""Related items of a detail page and of /api/v1/<type>/<slug>/similar/."""

from resources import related
from resources.models import Status


def test_a_papers_related_items_include_its_tutorial(client, discovery_catalogue):
    body = client.get("/api/v1/papers/disc-diffusion/similar/").json()
    tutorials = body["groups"]["tutorials"]
    assert tutorials[0]["slug"] == "disc-tutorial-diffusion"
    assert tutorials[0]["reason"] == "a tutorial on this paper"
    assert list(body["groups"])[:2] == ["papers", "tutorials"]
    assert all(row["reason"] for rows in body["groups"].values() for row in rows)


def test_related_items_cross_types_and_say_why(client, discovery_catalogue):
    body = client.get("/api/v1/courses/disc-course-vision/similar/").json()
    papers = [row["slug"] for row in body["groups"]["papers"]]
    assert papers[0] == "disc-resnet"
    assert body["groups"]["papers"][0]["reason"] == "close in meaning"
    tutorial = client.get("/api/v1/tutorials/disc-tutorial-diffusion/similar/").json()
    assert tutorial["groups"]["papers"][0]["slug"] == "disc-diffusion"


def test_an_unpublished_item_vanishes_from_related_at_once(client, discovery_catalogue):
    tutorial = discovery_catalogue["tutorial"]
    tutorial.status = Status.DRAFT
    tutorial.save()
    body = client.get("/api/v1/papers/disc-diffusion/similar/").json()
    assert "tutorials" not in body["groups"]
    paper = discovery_catalogue["papers"]["diffusion"]
    assert all(
        r.item.slug != "disc-tutorial-diffusion" for rows in related.related(paper).values() for r in rows
    )


def test_the_detail_page_shows_related_items(client, discovery_catalogue):
    page = client.get("/papers/disc-diffusion/").content.decode()
    assert "Related" in page and "disc-tutorial-diffusion" in page


def test_similar_can_be_sorted_newest_first(client, discovery_catalogue):
    papers = discovery_catalogue["papers"]
    for key, year in {"dropout": 2012, "seq2seq": 2014, "resnet": 2016}.items():
        papers[key].year = year
        papers[key].save()
    url = "/api/v1/papers/disc-diffusion/similar/"
    by_relevance = [row["slug"] for row in client.get(url).json()["groups"]["papers"]]
    newest_first = [row["slug"] for row in client.get(url, {"sort": "recent"}).json()["groups"]["papers"]]
    assert sorted(newest_first) == sorted(by_relevance)  # the same items
    assert newest_first == ["disc-resnet", "disc-seq2seq", "disc-dropout"]
    answer = client.get(url, {"sort": "newest"})
    assert answer.status_code == 400 and "sort" in answer.json()["error"]["fields"]
