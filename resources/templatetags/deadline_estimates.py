"""How an expected deadline reads: "mid-May 2027" / "2027年五月中旬"."""

from django import template
from django.utils.dates import MONTHS
from django.utils.translation import gettext

register = template.Library()


@register.filter
def expected_period(expected) -> str:
    """The part of the month an estimate falls in, as people say it."""
    part, month, year = expected.period
    texts = {
        "early": gettext("early %(month)s %(year)s"),
        "mid": gettext("mid-%(month)s %(year)s"),
        "late": gettext("late %(month)s %(year)s"),
    }
    return texts[part] % {"month": MONTHS[month], "year": year}


@register.filter
def based_on(expected) -> str:
    """The edition years an estimate reads, as a range ("2023–2026")."""
    years = expected.based_on
    return f"{years[0]}–{years[-1]}" if len(years) > 1 else str(years[0])
