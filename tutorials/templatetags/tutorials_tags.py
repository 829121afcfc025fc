"""Template tags of the tutorials app: the featured tutorials block of the home page."""

from django import template

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
