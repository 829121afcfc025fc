"""The beat job that plans and sends reminders and alerts (``notifications.delivery.run``)."""

from celery import shared_task

from notifications import delivery


@shared_task(name="notifications.deliver", ignore_result=True, time_limit=600, soft_time_limit=540)
def deliver() -> dict:
    return delivery.run()
