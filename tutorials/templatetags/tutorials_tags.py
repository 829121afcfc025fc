"""Template tags of the tutorials app: the featured tutorials block of the home page, and the
demos' parameter and metric names in the active language."""

from django import template

from tutorials import vocabulary
from tutorials.models import Tutorial

register = template.Library()

FEATURED_LIMIT = 3


@register.inclusion_tag("tutorials/_featured.html")
def featured_tutorials(limit: int = FEATURED_LIMIT) -> dict:
    """Published, featured tutorials in their curated order: one query, nothing else is read."""
    tutorials = list(
        Tutorial.objects.published()
        .filter(featured=True)
        .only("slug", "title_en", "title_zh", "summary_en", "summary_zh", "level", "demo")
        .order_by("position", "title_en")[:limit]
    )
    return {"tutorials": tutorials}


@register.filter
def param_label(name: str) -> str:
    return vocabulary.param_label(name)


@register.filter
def metric_label(name: str) -> str:
    return vocabulary.metric_label(name)
