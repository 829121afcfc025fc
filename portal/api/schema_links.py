"""OpenAPI links: what a client may call next with the item a POST has just created.

drf-spectacular writes no links of its own. This post-processing hook (SPECTACULAR_SETTINGS'
``POSTPROCESSING_HOOKS``) adds them from the URL layout every viewset here follows: when
``POST /api/v1/<things>/`` answers 201 (or 200, for a bookmark that already existed), each
operation under ``/api/v1/<things>/{<key>}/`` — the item's GET, PUT, PATCH and DELETE, and
actions such as a run's ``cancel/`` — can be called with ``<key>`` taken from the response body.
Clients and stateful API testers (Schemathesis) follow these links.
"""

import re

_PARAMETER = re.compile(r"^\{(?P<name>\w+)\}/")


def add_links(result, generator, request, public):
    paths = result.get("paths", {})
    for collection, operations in paths.items():
        create = operations.get("post")
        if not create:
            continue
        links = {}
        for path, item_operations in paths.items():
            if path == collection or not path.startswith(collection):
                continue
            match = _PARAMETER.match(path[len(collection) :])
            if not match:
                continue
            name = match["name"]
            for method, operation in item_operations.items():
                operation_id = operation.get("operationId") if isinstance(operation, dict) else None
                if operation_id:
                    links[operation_id] = {
                        "operationId": operation_id,
                        "parameters": {name: f"$response.body#/{name}"},
                        "description": f"{method.upper()} {path} of the item the response describes.",
                    }
        if not links:
            continue
        for status in ("201", "200"):
            response = create.get("responses", {}).get(status)
            if response is not None:
                response.setdefault("links", {}).update(links)
    return result
