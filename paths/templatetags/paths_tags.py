"""Template tags of the paths app, for pages other apps render (the home page, the library):
"continue where you left off" and the learner's percentage on each path they started."""

from django import template

from paths import services
from paths.models import Progress, StepProgress

register = template.Library()


@register.inclusion_tag("paths/_continue.html", takes_context=True)
def continue_learning(context) -> dict:
    """The path touched last and not finished. No query for a visitor without a session."""
    request = context.get("request")
    return {"resume": services.continue_learning(request) if request is not None else None}


@register.inclusion_tag("paths/_my_paths.html", takes_context=True)
def my_paths(context) -> dict:
    """Every published path the signed-in learner has progress on, with its percentage, and their
    latest step changes (4 queries)."""
    request = context.get("request")
    if request is None or not request.user.is_authenticated:
        return {"paths": [], "recent": []}
    started = StepProgress.objects.filter(user=request.user).values("step__path_id")
    paths = list(services.published_paths().filter(pk__in=started))
    percentages = services.path_percentages(request, paths)
    for item in paths:
        item.percent = percentages[item.pk]
    # No started published path means no recent activity to show: no query for it.
    recent = services.recent_activity(request.user) if paths else []
    for row in recent:
        row.state_label = Progress(row.state).label
    return {"paths": paths, "recent": recent}
