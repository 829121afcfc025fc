"""What every API view shares: error bodies in JSON whatever format was asked, conditional GET,
and the error responses of the OpenAPI schema."""

from django.utils.cache import get_conditional_response, patch_cache_control, set_response_etag
from drf_spectacular.utils import OpenApiResponse
from rest_framework.parsers import JSONParser
from rest_framework.permissions import SAFE_METHODS
from rest_framework.renderers import BrowsableAPIRenderer, JSONRenderer

from portal.api.serializers import ErrorSerializer

JSON_RENDERERS = [JSONRenderer, BrowsableAPIRenderer]
#: The formats an error or an OPTIONS answer may keep; any other (CSV, BibTeX, …) describes items.
JSON_FORMATS = frozenset({JSONRenderer.format, BrowsableAPIRenderer.format})
ERROR = ErrorSerializer

ERROR_DESCRIPTIONS = {
    400: "Invalid query parameters or fields; `error.fields` says which.",
    401: "Missing or invalid credentials (send `Authorization: Token <key>`).",
    403: "Signed in without the permission this needs.",
    404: "No such item (or page).",
    406: "None of the formats in `Accept` (or `format`) is offered here.",
    409: "A concurrent write took the same unique value.",
    415: "The body is not JSON.",
    429: "Too many requests; `Retry-After` says how many seconds to wait.",
}


def error_responses(*codes: int, **descriptions: str) -> dict:
    """Error responses for ``extend_schema(responses=...)``, all in the common body.

    ``error_responses(400, 404, e404="No such run.")`` overrides one code's description.
    """
    return {
        (code, "application/json"): OpenApiResponse(
            ERROR, description=descriptions.get(f"e{code}", ERROR_DESCRIPTIONS.get(code, ""))
        )
        for code in codes
    }


READ_ERRORS = (400, 401, 404, 406, 429)
WRITE_ERRORS = (400, 401, 403, 404, 409, 415, 429)


def format_of(request) -> str | None:
    renderer = getattr(request, "accepted_renderer", None)
    return getattr(renderer, "format", None)


class ApiViewMixin:
    """What every API view shares: error bodies always in JSON, conditional GET."""

    parser_classes = [JSONParser]

    def get_renderers(self):
        # Writes answer in JSON (or the browsable API): the other formats describe stored items.
        if self.request is not None and self.request.method not in SAFE_METHODS:
            return [renderer() for renderer in JSON_RENDERERS]
        return super().get_renderers()

    def finalize_response(self, request, response, *args, **kwargs):
        response = super().finalize_response(request, response, *args, **kwargs)
        renderer = getattr(response, "accepted_renderer", None)
        # Errors, and OPTIONS' description of the endpoint, are not items: they answer in JSON.
        not_items = response.status_code >= 400 or request.method == "OPTIONS"
        if not_items and renderer is not None and renderer.format not in JSON_FORMATS:
            response.accepted_renderer = JSONRenderer()
            response.accepted_media_type = "application/json"
        if request.method in SAFE_METHODS and response.status_code == 200:
            response = self._conditional(request, response)
        return response

    def _conditional(self, request, response):
        patch_cache_control(response, no_cache=True)
        # A streamed body is not hashed: that would mean holding all of it before sending.
        if response.has_header("ETag") or response.streaming:
            return response
        if hasattr(response, "render") and not response.is_rendered:
            response.render()
        set_response_etag(response)
        return get_conditional_response(request, etag=response["ETag"], response=response) or response
