"""Vectors are written by `manage.py embed` (resumable, skipping unchanged text) and by the
Celery task queued after a save commits; web processes import no torch until a query needs it."""

import io
import json
import os
import subprocess
import sys
from pathlib import Path

import numpy as np
from django.core.management import call_command
from django.test import override_settings

from portal.celery import app
from resources import embeddings, semantic
from resources.models import Embedding
from tests import factories

ROOT = Path(__file__).resolve().parents[2]


def run_embed(*args) -> str:
    out = io.StringIO()
    call_command("embed", *args, stdout=out)
    return out.getvalue()


def test_embed_stores_unit_vectors_and_skips_unchanged_text(db, discovery_encoder, discovery_index_fresh):
    papers = [factories.PaperFactory(description_en="Some text about attention.") for _ in range(3)]
    factories.TutorialFactory()
    assert "embedded 4 items, 0 unchanged" in run_embed()
    vector = np.frombuffer(
        bytes(Embedding.objects.get(kind="papers", object_id=papers[0].pk).vector), np.float32
    )
    assert vector.shape == (embeddings.DIMENSIONS,) and abs(np.linalg.norm(vector) - 1) < 1e-4
    assert "embedded 0 items, 4 unchanged" in run_embed()
    papers[1].title = "A new title"
    papers[1].save()
    # Resumes: only the changed text is encoded again.
    assert "embedded 1 items, 3 unchanged" in run_embed()


def test_a_save_queues_the_embedding_after_commit(
    db, discovery_encoder, discovery_index_fresh, django_capture_on_commit_callbacks
):
    eager = app.conf.task_always_eager
    app.conf.task_always_eager = True
    try:
        with override_settings(EMBEDDINGS_ON_SAVE=True):
            with django_capture_on_commit_callbacks(execute=False) as callbacks:
                paper = factories.PaperFactory(description_en="Queued after the commit.")
            assert not Embedding.objects.filter(object_id=paper.pk).exists()  # nothing before the commit
            for callback in callbacks:
                callback()
    finally:
        app.conf.task_always_eager = eager
    assert Embedding.objects.filter(kind="papers", object_id=paper.pk).exists()
    assert semantic.index().vector("papers", paper.pk) is not None


def test_web_processes_import_no_torch_until_a_semantic_query_needs_it():
    script = (
        "import json, sys, django; django.setup();"
        "from resources import search, related, semantic; from portal import recommend;"
        "from django.test import Client;"
        "print(json.dumps('torch' in sys.modules))"
    )
    result = subprocess.run(
        [sys.executable, "-c", script],
        cwd=ROOT,
        env={**os.environ, "DJANGO_SETTINGS_MODULE": "portal.test_settings"},
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout.strip().splitlines()[-1]) is False


def test_the_index_takes_in_new_and_changed_vectors_incrementally(discovery_catalogue):
    before = semantic.index()
    count = len(before)
    paper = factories.PaperFactory(title="Quantum Llamas", slug="disc-new")
    semantic.embed("papers", [paper])
    semantic.bump_version()  # what the commit of the write does
    after = semantic.index()
    assert len(after) == count + 1 and after.vector("papers", paper.pk) is not None
    assert len(before) == count  # queries still holding the old index see a consistent one
    resnet = discovery_catalogue["papers"]["resnet"]
    old = after.vector("papers", resnet.pk).copy()
    resnet.description_en = "Nothing about pictures: a recipe for sourdough bread."
    resnet.save()
    semantic.embed("papers", [resnet])
    semantic.bump_version()
    latest = semantic.index()
    assert len(latest) == count + 1
    assert not np.allclose(latest.vector("papers", resnet.pk), old)
