"""A run's status moves only along ``TrainingRun.TRANSITIONS``: ``RunQuerySet.move`` refuses any
other move before it touches the database, and the services' moves all go through it."""

import pytest

from tests import factories
from tutorials import services
from tutorials.models import TrainingRun

pytestmark = pytest.mark.django_db
Status = TrainingRun.Status


def make_run(status=Status.QUEUED, **fields):
    return factories.TrainingRunFactory(
        owner=factories.UserFactory(), demo="mlp_digits", params={}, status=status, **fields
    )


@pytest.mark.parametrize(
    ("source", "target"),
    [
        (Status.SUCCEEDED, Status.RUNNING),
        (Status.FAILED, Status.QUEUED),
        (Status.CANCELLED, Status.SUCCEEDED),
        (Status.QUEUED, Status.SUCCEEDED),
        ((Status.QUEUED, Status.SUCCEEDED), Status.FAILED),
    ],
)
def test_a_move_the_transitions_do_not_list_is_refused_and_changes_nothing(
    source, target, django_assert_num_queries
):
    run = make_run(Status.SUCCEEDED)
    with django_assert_num_queries(0), pytest.raises(ValueError, match="cannot move"):
        TrainingRun.objects.filter(pk=run.pk).move(source, target)
    run.refresh_from_db()
    assert run.status == Status.SUCCEEDED


def test_a_listed_move_changes_only_the_rows_in_the_source_status():
    queued, finished = make_run(Status.QUEUED), make_run(Status.SUCCEEDED)
    assert TrainingRun.objects.move(Status.QUEUED, Status.CANCELLED, error="stop") == 1
    queued.refresh_from_db()
    finished.refresh_from_db()
    assert (queued.status, queued.error) == (Status.CANCELLED, "stop")
    assert finished.status == Status.SUCCEEDED


def test_finishing_a_run_twice_moves_it_once():
    run = make_run(Status.RUNNING)
    assert services._finish(run.pk, Status.SUCCEEDED) is True
    assert services._finish(run.pk, Status.FAILED) is False  # succeeded is final
    run.refresh_from_db()
    assert run.status == Status.SUCCEEDED
    with pytest.raises(ValueError):
        services._finish(run.pk, Status.QUEUED)  # not an end state: refused, not written
