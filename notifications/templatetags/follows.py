"""Follow (star) buttons: which items the signed-in reader follows, read once per request."""

from django import template

from notifications import services

register = template.Library()


@register.simple_tag(takes_context=True)
def followed(context, kind: str) -> frozenset[int]:
    """The ids of the items of ``kind`` (series, topic, course) the reader follows."""
    request = context.get("request")
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return frozenset()
    cache = request.__dict__.setdefault("_followed_ids", {})
    if kind not in cache:
        cache[kind] = frozenset(services.followed_ids(user, kind))
    return cache[kind]
