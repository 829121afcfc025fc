"""The Django admin, the curators' tool: every catalogue model, bulk publishing, import pages."""

from resources.admin import catalogue, history  # noqa: F401  (registers the model admins)
