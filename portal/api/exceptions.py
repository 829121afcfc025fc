"""One error body for every API failure: ``{"error": {"status", "code", "detail", "fields"}}``.

DRF's own handler answers APIException, Http404 and PermissionDenied with bodies of varying
shapes (a dict of fields, a list, ``{"detail": ...}``); this handler reshapes all of them, and
answers what DRF would re-raise (a database conflict, a bug) in the same format, so a client
parses one thing whatever went wrong.
"""

import logging
import math

from django.core.exceptions import PermissionDenied
from django.db import IntegrityError
from django.http import Http404, JsonResponse
from django.utils.translation import gettext as _
from django.views.decorators.csrf import csrf_exempt
from rest_framework import exceptions, status
from rest_framework.response import Response
from rest_framework.settings import api_settings
from rest_framework.views import set_rollback

logger = logging.getLogger(__name__)


def error_body(status_code: int, code: str, detail: str, fields: dict | None = None) -> dict:
    return {"error": {"status": status_code, "code": code, "detail": str(detail), "fields": fields or {}}}


def _first_code(codes) -> str:
    while isinstance(codes, list | dict):
        if not codes:
            return "error"
        codes = next(iter(codes.values())) if isinstance(codes, dict) else codes[0]
    return str(codes)


def api_exception_handler(exc, context):
    if isinstance(exc, Http404):
        exc = exceptions.NotFound()
    elif isinstance(exc, PermissionDenied):
        exc = exceptions.PermissionDenied()
    elif isinstance(exc, IntegrityError):
        # Validation checks the same constraints first; this is the race where two writers
        # pass validation together and the database stops the second.
        set_rollback()
        return Response(
            error_body(409, "conflict", _("The request conflicts with the current state of the catalogue.")),
            status=status.HTTP_409_CONFLICT,
        )

    if not isinstance(exc, exceptions.APIException):
        logger.exception("Unhandled error in an API view", exc_info=exc)
        set_rollback()
        return Response(
            error_body(500, "server_error", _("Something went wrong on our side.")),
            status=status.HTTP_500_INTERNAL_SERVER_ERROR,
        )

    headers = {}
    if getattr(exc, "auth_header", None):
        headers["WWW-Authenticate"] = exc.auth_header
    if isinstance(exc, exceptions.Throttled):
        headers["Retry-After"] = str(max(1, math.ceil(exc.wait or 1)))

    if isinstance(exc, exceptions.ValidationError):
        fields = (
            exc.detail if isinstance(exc.detail, dict) else {api_settings.NON_FIELD_ERRORS_KEY: exc.detail}
        )
        body = error_body(exc.status_code, "invalid", _("The request has invalid fields."), fields)
    else:
        detail = exc.detail
        if isinstance(detail, list | dict):
            detail = " ".join(
                str(message) for message in (detail.values() if isinstance(detail, dict) else detail)
            )
        body = error_body(exc.status_code, _first_code(exc.get_codes()), detail)

    set_rollback()
    return Response(body, status=exc.status_code, headers=headers)


@csrf_exempt
def not_found(request, *args, **kwargs):
    """An /api/ address that matches no endpoint: the same body as any other 404.

    Exempt from the CSRF check, like every API view (DRF does its own for sessions): otherwise
    a POST or PUT to an unknown address would get Django's HTML 403 page instead of this JSON 404.
    It changes nothing, so there is nothing to forge.
    """
    return JsonResponse(error_body(404, "not_found", _("No API endpoint at this address.")), status=404)
