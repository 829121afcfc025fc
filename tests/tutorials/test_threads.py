"""How many PyTorch threads each training gets (tutorials.tasks.torch_threads)."""

import pytest

from tutorials.tasks import torch_threads


@pytest.mark.parametrize(
    ("cpus", "concurrency", "threads"),
    [(1, 1, 1), (2, 1, 1), (2, 2, 1), (4, 1, 3), (16, 2, 7), (16, 16, 1), (16, 0, 15)],
)
def test_the_cpus_are_shared_among_the_children_with_one_left_over(settings, cpus, concurrency, threads):
    settings.TRAINING_TORCH_THREADS = 0
    assert torch_threads(concurrency, cpus=cpus) == threads


def test_the_setting_wins(settings):
    settings.TRAINING_TORCH_THREADS = 3
    assert torch_threads(8, cpus=2) == 3
