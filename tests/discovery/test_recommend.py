"""Recommendations learned from a learner's own library."""

from django.contrib.contenttypes.models import ContentType

from accounts.models import Bookmark
from portal import recommend
from resources.models import Status
from tests import factories


def bookmark(user, item):
    Bookmark.objects.create(
        user=user, content_type=ContentType.objects.get_for_model(item), object_id=item.pk
    )


def keys(found):
    return [(r.kind, r.item.slug) for r in found]


def test_recommendations_change_after_a_bookmark_and_exclude_it(discovery_catalogue):
    user = factories.UserFactory()
    strategy, before = recommend.recommend(user, limit=5)
    assert strategy == "popular" and before
    bookmark(user, discovery_catalogue["papers"]["resnet"])
    strategy, after = recommend.recommend(user, limit=5)
    assert strategy == "profile"
    assert keys(after) != keys(before)
    assert ("papers", "disc-resnet") not in keys(after)
    # The closest item to a paper on deep image networks is the course on vision.
    assert keys(after)[0] == ("courses", "disc-course-vision")
    assert after[0].reason == "because you saved “Deep Residual Learning for Image Recognition”"


def test_demo_runs_count_and_what_is_kept_is_never_shown(discovery_catalogue):
    user = factories.UserFactory()
    tutorial = discovery_catalogue["tutorial"]
    from tutorials.models import TrainingRun

    TrainingRun.objects.create(owner=user, tutorial=tutorial, demo=tutorial.demo, params={})
    strategy, found = recommend.recommend(user, limit=8)
    assert strategy == "profile"
    assert ("tutorials", tutorial.slug) not in keys(found)
    assert keys(found)[0] == ("papers", "disc-diffusion")
    assert "ran the demo" in found[0].reason


def test_an_unpublished_item_vanishes_from_recommendations_at_once(discovery_catalogue):
    user = factories.UserFactory()
    bookmark(user, discovery_catalogue["papers"]["resnet"])
    course = discovery_catalogue["course"]
    assert ("courses", course.slug) in keys(recommend.recommend(user)[1])
    course.status = Status.DRAFT
    course.save()
    assert ("courses", course.slug) not in keys(recommend.recommend(user)[1])


def test_the_api_needs_a_signed_in_learner(client, discovery_catalogue):
    assert client.get("/api/v1/recommendations/").status_code in (401, 403)
    user = factories.UserFactory()
    bookmark(user, discovery_catalogue["papers"]["seq2seq"])
    client.force_login(user)
    body = client.get("/api/v1/recommendations/", {"limit": 3}).json()
    assert body["strategy"] == "profile" and len(body["results"]) == 3
    assert "disc-seq2seq" not in [row["slug"] for row in body["results"]]
    assert body["results"][0]["reason"].startswith("because you saved")


def test_the_home_page_shows_for_you_to_a_signed_in_learner(client, discovery_catalogue):
    user = factories.UserFactory()
    bookmark(user, discovery_catalogue["papers"]["resnet"])
    assert "For you" not in client.get("/").content.decode()
    client.force_login(user)
    page = client.get("/").content.decode()
    assert "For you" in page and "because you saved" in page
    assert "/papers/disc-resnet/" not in page.split('id="for-you-heading"')[1].split("</section>")[0]
