"""Search with the embedding worker stopped: a real Celery worker embeds a paper after its save,
is stopped, and a paper saved afterwards (its embedding task queued, nobody to take it) is still
found by its words, while the stored vectors keep answering queries by meaning."""

import pytest
from django.test import override_settings

from portal.celery import app
from resources import search
from resources.models import Embedding
from tests import factories
from tests.processes import one_thread_worker_env, start_worker, wait_until

pytestmark = [pytest.mark.services, pytest.mark.django_db(transaction=True)]

MEANING = "make pictures out of random static"


def embedded(paper) -> bool:
    return Embedding.objects.filter(kind="papers", object_id=paper.pk).exists()


def slugs(body) -> list[str]:
    return [r["slug"] for r in body["results"] if r["type"] == "papers"]


@override_settings(EMBEDDINGS_ON_SAVE=True)
def test_search_answers_by_words_for_what_a_stopped_worker_never_embedded(
    client, processes, tmp_path, discovery_encoder, discovery_index_fresh
):
    worker = start_worker(one_thread_worker_env(), tmp_path / "worker.log")
    processes.append(worker)
    diffusion = factories.PaperFactory(
        title="Denoising Diffusion Probabilistic Models",
        slug="disc-diffusion",
        description_en="Generates images by learning to reverse a gradual noising process, step by step.",
    )
    wait_until(lambda: embedded(diffusion), 180, "the worker never embedded the paper", log=worker.log)
    assert slugs(client.get("/api/v1/search/", {"q": MEANING}).json())[0] == "disc-diffusion"

    worker.stop()
    assert worker.proc.returncode is not None
    try:
        zebra = factories.PaperFactory(title="Quixotic Zebra Benchmark", slug="disc-zebra")
        assert not embedded(zebra)  # its task waits in the queue

        body = client.get("/api/v1/search/", {"q": "quixotic zebra"}).json()
        assert slugs(body) == ["disc-zebra"]
        assert (body["mode_used"], body["fallback_reason"]) == ("hybrid", "")
        assert slugs(client.get("/api/v1/search/", {"q": MEANING}).json())[0] == "disc-diffusion"
        page = client.get("/search/", {"q": "quixotic zebra"})
        assert page.status_code == 200 and "disc-zebra" in page.content.decode()
        assert [h.item.slug for h in search.search("quixotic zebra", mode="keyword").groups[0].hits] == [
            "disc-zebra"
        ]
    finally:
        # The zebra's task would otherwise wait for the next test's worker.
        with app.connection_for_write() as connection:
            connection.default_channel.queue_purge(app.conf.task_default_queue)
