from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class NotificationsConfig(AppConfig):
    name = "notifications"
    verbose_name = _("Follows, calendars and reminders")

    def ready(self):
        # The catalogue asks "which series does this reader follow?" through its registry; it
        # never imports this app.
        from notifications import services
        from resources import personal

        personal.register_followed_series(services.followed_series_ids)
