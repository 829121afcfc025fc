"""``web_url``: a catalogue address fit for an href, or "" when it is not http or https.

Every way into the catalogue (admin, API, importers) already refuses other schemes
(``resources.validators.validate_web_url``); the filter keeps a ``javascript:`` or ``data:``
address that reached the database some other way (raw SQL, a restored dump) from becoming a
link that runs a script.
"""

from urllib.parse import urlsplit

from django import template

register = template.Library()


@register.filter
def web_url(value) -> str:
    text = str(value or "").strip()
    try:
        scheme = urlsplit(text).scheme.lower()
    except ValueError:
        return ""
    return text if scheme in {"http", "https"} else ""
