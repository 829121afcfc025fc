from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ResourcesConfig(AppConfig):
    name = "resources"
    verbose_name = _("Catalogue")

    def ready(self):
        from django.db.models.signals import post_save

        from resources import tasks

        post_save.connect(tasks.item_saved, dispatch_uid="resources.tasks.item_saved")
