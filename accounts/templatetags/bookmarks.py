from django import template

from accounts import services
from accounts.models import BOOKMARKABLE

register = template.Library()


@register.simple_tag(takes_context=True)
def bookmark_state(context, obj) -> bool:
    """Whether the signed-in reader bookmarked ``obj`` (one query; False for visitors)."""
    request = context.get("request")
    user = getattr(request, "user", None)
    return bool(user is not None and services.is_bookmarked(user, obj))


@register.filter
def bookmark_label(obj) -> str:
    """The type label the bookmark form posts ("resources.paper"); empty for other objects."""
    label = getattr(getattr(obj, "_meta", None), "label_lower", "")
    return label if label in BOOKMARKABLE else ""
