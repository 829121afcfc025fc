"""The writing operations of /api/v1/, read from the OpenAPI schema, so that a new writable
endpoint shows up in the security tests (and fails them until it has a case)."""

from functools import cache

WRITE_METHODS = ("post", "put", "patch", "delete")


@cache
def schema() -> dict:
    from drf_spectacular.generators import SchemaGenerator

    return SchemaGenerator().get_schema(request=None, public=True)


def write_operations() -> dict[str, tuple[str, str]]:
    """operationId → (METHOD, path template) for every POST, PUT, PATCH and DELETE."""
    found = {}
    for path, operations in schema()["paths"].items():
        for method, operation in operations.items():
            if method in WRITE_METHODS:
                found[operation["operationId"]] = (method.upper(), path)
    return found


def request_fields(operation_id: str) -> set[str]:
    """The properties a client may send to an operation (its request body's schema)."""
    for operations in schema()["paths"].values():
        for method, operation in operations.items():
            if method in WRITE_METHODS and operation["operationId"] == operation_id:
                body = operation.get("requestBody", {}).get("content", {}).get("application/json")
                if not body:
                    return set()
                ref = body["schema"]["$ref"].rsplit("/", 1)[1]
                return set(schema()["components"]["schemas"][ref].get("properties", {}))
    raise KeyError(operation_id)
