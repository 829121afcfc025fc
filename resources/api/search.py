"""Search across the catalogue's types for ``/api/v1/search/``: one query per type searched."""

from django.db.models import F, IntegerField, Q, Value

from resources import models

MAX_LIMIT = 50

# type -> (model, fields searched, field shown as the title, year field or None)
SEARCHED = {
    "conference": (models.ConferenceSeries, ("short_name", "full_name"), "short_name", None),
    "course": (models.Course, ("title", "provider"), "title", None),
    "book": (models.Book, ("title", "authors", "publisher"), "title", "year"),
    "paper": (models.Paper, ("title", "authors", "venue"), "title", "year"),
    "community": (models.Community, ("name",), "name", None),
    "topic": (models.Topic, ("name_en", "name_zh", "slug"), "name_en", None),
}


def _matching(fields, words):
    condition = Q()
    for word in words:
        any_field = Q()
        for field in fields:
            any_field |= Q(**{f"{field}__icontains": word})
        condition &= any_field
    return condition


def search_catalogue(text: str, *, types=None, limit: int = 10) -> list[dict]:
    """Published items whose fields contain every word of ``text``: dicts of type, slug, title, year."""
    words = text.split()[:10]
    if not words:
        return []
    results = []
    for kind, (model, fields, title, year) in SEARCHED.items():
        if types and kind not in types:
            continue
        queryset = model._default_manager.all()
        if hasattr(queryset, "published"):
            queryset = queryset.published()
        rows = (
            queryset.filter(_matching(fields, words))
            .annotate(title_=F(title), year_=F(year) if year else Value(None, output_field=IntegerField()))
            .order_by(title, "pk")
            .values("slug", "title_", "year_")[: min(limit, MAX_LIMIT)]
        )
        results += [{"type": kind, "slug": r["slug"], "title": r["title_"], "year": r["year_"]} for r in rows]
    return results
