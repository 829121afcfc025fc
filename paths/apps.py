from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PathsConfig(AppConfig):
    name = "paths"
    verbose_name = _("Learning paths")

    def ready(self):
        # Progress that follows events of other apps: a visitor's session progress on sign-in,
        # a succeeded demo training (tutorials sends the signal and knows nothing of paths).
        from paths import receivers  # noqa: F401
