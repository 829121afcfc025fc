"""Progress that follows events elsewhere; each receiver hands over to ``paths.services``."""

from django.contrib.auth.signals import user_logged_in
from django.dispatch import receiver

from paths import services
from tutorials.signals import run_succeeded


@receiver(user_logged_in, dispatch_uid="paths.move_session_progress")
def move_session_progress(sender, request, user, **kwargs):
    # Sign-up logs the new user in too, so both ways in carry the visitor's progress over.
    if request is not None and hasattr(request, "session"):
        services.move_session_progress(request, user)


@receiver(run_succeeded, dispatch_uid="paths.record_succeeded_run")
def record_succeeded_run(sender, owner_id, demo, **kwargs):
    services.record_succeeded_run(owner_id, demo)
