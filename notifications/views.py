"""Follow buttons, the reader's notification settings, the personal calendar feed and the
unsubscribe page that e-mail links open (no sign-in needed: the link is signed)."""

import zoneinfo

from django.contrib import messages
from django.contrib.auth import get_user_model
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpResponse, HttpResponseBadRequest, HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST, require_safe

from notifications import delivery, services
from notifications.forms import PreferencesForm
from paths import services as path_services
from resources import estimates, exports

NEW_TOKEN_KEY = "notifications_new_calendar_token"  # noqa: S105 - a session key, not a secret


def _back(request, fallback: str) -> HttpResponseRedirect:
    target = request.POST.get("next", "")
    if not url_has_allowed_host_and_scheme(target, {request.get_host()}, require_https=request.is_secure()):
        target = fallback
    return HttpResponseRedirect(target)


@require_POST
@login_required
def follow(request):
    kind, slug = request.POST.get("kind", ""), request.POST.get("slug", "")
    target = services.find_target(kind, slug)
    if target is None:
        return HttpResponseBadRequest(gettext("There is nothing to follow there."), content_type="text/plain")
    on = request.POST.get("action") != "unfollow"
    services.set_follow(request.user, kind, target, on)
    return _back(request, target.get_absolute_url())


@login_required
def preferences(request):
    prefs = services.preferences(request.user)
    form = PreferencesForm(instance=prefs)
    # A new address is shown once, on the page the POST redirects to (a reload does not make
    # another); until then it waits in the reader's own session.
    new_token = request.session.pop(NEW_TOKEN_KEY, None) if request.method == "GET" else None
    if request.method == "POST":
        action = request.POST.get("action", "save")
        if action == "new-calendar":
            request.session[NEW_TOKEN_KEY] = services.issue_calendar_token(request.user)
            return HttpResponseRedirect(request.path)
        elif action == "revoke-calendar":
            services.revoke_calendar_token(request.user)
            messages.success(request, gettext("Your calendar address no longer works."))
            return HttpResponseRedirect(request.path)
        else:
            form = PreferencesForm(request.POST, instance=prefs)
            if form.is_valid():
                form.save()
                messages.success(request, gettext("Your settings are saved."))
                return HttpResponseRedirect(request.path)
        prefs.refresh_from_db()
    context = {
        "form": form,
        "prefs": prefs,
        "new_calendar_url": request.build_absolute_uri(reverse("notifications:calendar", args=[new_token]))
        if new_token
        else None,
        "follows": services.follows_of(request.user),
        "time_zones": sorted(zoneinfo.available_timezones()),
    }
    return render(request, "notifications/preferences.html", context)


@require_safe
def calendar(request, token: str):
    user = services.user_for_calendar_token(token)
    if user is None:
        raise Http404
    deadlines = exports.deadline_queryset().filter(edition__series__followers__user=user)
    # Opt-in, as on the public calendar: expected deadlines are estimates, not announced dates.
    expected = estimates.expected_deadlines(deadlines) if request.GET.get("expected") in {"1", "true"} else []
    plan_days = [
        {
            "uid": event["uid"],
            "start": event["start"],
            "end": event["end"],
            "summary": gettext("%(path)s: %(step)s (%(hours)s h)")
            % {"path": event["path"].title, "step": event["step"].title, "hours": event["hours"]},
            "description": gettext("A step of your study plan."),
        }
        for event in path_services.plan_events(user)
    ]
    body = exports.deadlines_to_ical(
        deadlines, name=gettext("My conference deadlines"), expected=expected, days=plan_days
    )
    response = HttpResponse(body, content_type="text/calendar; charset=utf-8")
    response["Content-Disposition"] = 'inline; filename="my-deadlines.ics"'
    response["Cache-Control"] = "private, no-cache"
    return response


@csrf_exempt  # RFC 8058: mail clients POST the one-click unsubscribe; the signed token authorises it
def unsubscribe(request, token: str):
    found = delivery.read_unsubscribe_token(token)
    user = get_user_model().objects.filter(pk=found[0]).first() if found else None
    if user is None:
        raise Http404
    scope = found[1]
    if request.method == "POST":
        prefs = services.preferences(user)
        setattr(prefs, delivery.SCOPES[scope], False)
        prefs.save(update_fields=[delivery.SCOPES[scope]])
        return render(request, "notifications/unsubscribe.html", {"done": True, "scope": scope})
    if request.method not in ("GET", "HEAD"):
        return HttpResponse(status=405)
    return render(request, "notifications/unsubscribe.html", {"done": False, "scope": scope, "token": token})
