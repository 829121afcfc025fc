"""A reader's personal library: bookmarks on catalogue items of any type."""

from django.conf import settings
from django.contrib.contenttypes.fields import GenericForeignKey
from django.contrib.contenttypes.models import ContentType
from django.db import models
from django.utils.translation import gettext_lazy as _

#: The catalogue models a reader may bookmark, as "app_label.model_name" labels.
BOOKMARKABLE = (
    "resources.paper",
    "resources.book",
    "resources.course",
    "resources.community",
    "resources.conferenceseries",
)


class Bookmark(models.Model):
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("user"), on_delete=models.CASCADE, related_name="bookmarks"
    )
    content_type = models.ForeignKey(
        ContentType,
        verbose_name=_("type"),
        on_delete=models.CASCADE,
        limit_choices_to=models.Q(
            app_label="resources", model__in=[label.split(".")[1] for label in BOOKMARKABLE]
        ),
    )
    object_id = models.PositiveBigIntegerField(_("object id"))
    target = GenericForeignKey("content_type", "object_id")
    note = models.CharField(_("note"), max_length=500, blank=True)
    created_at = models.DateTimeField(_("bookmarked"), auto_now_add=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("bookmark")
        verbose_name_plural = _("bookmarks")
        constraints = [
            models.UniqueConstraint(
                fields=["user", "content_type", "object_id"], name="bookmark_unique_user_object"
            ),
        ]
        indexes = [models.Index(fields=["content_type", "object_id"], name="bookmark_target_idx")]

    def __str__(self):
        return f"{self.user} → {self.content_type.model} #{self.object_id}"
