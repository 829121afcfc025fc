"""Small paths built from factories: each test names what it needs."""

import pytest

from paths.models import LearningPath, Step
from resources.models import Status
from tests import factories


def make_path(slug="p", steps=3, status=Status.PUBLISHED, chain=True, **fields) -> LearningPath:
    """A path of ``steps`` paper steps; with ``chain`` each step needs the one before."""
    learning_path = LearningPath.objects.create(
        slug=slug, title_en=f"Path {slug}", title_zh=f"路径 {slug}", status=status, **fields
    )
    previous = None
    for position in range(1, steps + 1):
        paper = factories.PaperFactory(status=Status.PUBLISHED)
        step = Step.objects.create(path=learning_path, position=position, paper=paper, why_en="Read it.")
        if chain and previous is not None:
            step.prerequisites.add(previous)
        previous = step
    return learning_path


@pytest.fixture
def path_factory(db):
    return make_path
