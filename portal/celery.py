"""The Celery application, configured from Django's settings (the ``CELERY_`` names)."""

import os

from celery import Celery

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "portal.settings")
# PyTorch's OpenMP threads spin while they wait for work. On a worker that shares its cores with
# its own main process, the database and the web server, a spinning thread that loses its time
# slice stalls every parallel step of a training (runs measured 2-20x slower under such load).
# Waiting threads that sleep cost nothing measurable on an idle machine. Read by libgomp when
# torch is first imported, which in a worker happens after this module (tutorials.tasks).
os.environ.setdefault("OMP_WAIT_POLICY", "PASSIVE")

app = Celery("portal")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()
