"""Signals other apps may listen to; tutorials itself does not know who listens.

``run_succeeded`` is sent once, after a training run's status has become succeeded (the
conditional UPDATE in ``services.execute_run`` changed the row), with ``run_id``, ``owner_id``,
``demo`` and ``tutorial_id``. Receivers run in the worker; ``send_robust`` keeps their errors
from touching the run.
"""

from django.dispatch import Signal

run_succeeded = Signal()
