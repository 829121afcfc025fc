"""Site-wide views."""

from django.contrib.staticfiles.storage import staticfiles_storage
from django.http import HttpResponsePermanentRedirect, JsonResponse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from portal import health


@never_cache
@require_GET
def healthz(request):
    """The state of each service; 200 while the database answers, 503 when it does not.

    Cache, broker and workers are reported but do not fail the probe: catalogue pages keep
    working without them, and an orchestrator should not restart the web process for them.
    """
    database = health.check_database()
    broker = health.check_broker()
    body = {
        "status": "ok" if database["ok"] else "unavailable",
        "database": database,
        "cache": health.check_cache(),
        "broker": broker,
        "workers": health.check_workers() if broker["ok"] else {"ok": False, "workers": []},
    }
    return JsonResponse(body, status=200 if database["ok"] else 503)


@require_GET
def favicon(request):
    """Browsers ask for /favicon.ico on every page, the admin's included; send them the icon."""
    return HttpResponsePermanentRedirect(staticfiles_storage.url("favicon.svg"))
