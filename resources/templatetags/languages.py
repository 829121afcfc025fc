"""``language_name`` and ``language_names``: a catalogue language code (or a list of them) as
names in the page's language: "zh" is "Chinese" in English and "中文" in Chinese."""

from django import template
from django.utils.translation import gettext

from resources.selectors import language_name as _language_name

register = template.Library()


@register.filter
def language_name(code) -> str:
    return _language_name(code) if code else ""


@register.filter
def language_names(codes) -> str:
    # Translators: joins language names in a list ("English, Chinese").
    separator = gettext(", ")
    return separator.join(_language_name(code) for code in codes or () if code)
