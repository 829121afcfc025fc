"""Who may do what through the API.

Reading the catalogue is open. Writing needs a signed-in user who is staff or holds the
model's Django permission (add / change / delete). Per-user objects (bookmarks, runs) use
``OwnedQuerysetMixin``, so another user's object is simply absent: 404, never 403.
"""

from rest_framework.permissions import SAFE_METHODS, BasePermission

# The Django permission each unsafe method needs, as DjangoModelPermissions maps them.
_ACTION_FOR_METHOD = {"POST": "add", "PUT": "change", "PATCH": "change", "DELETE": "delete"}


class CatalogueWritePermission(BasePermission):
    """Anyone reads; staff, or a user with the model's add/change/delete permission, writes."""

    message = "Changing the catalogue needs a staff account or the matching permission."

    def has_permission(self, request, view):
        if request.method in SAFE_METHODS:
            return True
        user = request.user
        if not (user and user.is_authenticated and user.is_active):
            return False
        if user.is_staff:
            return True
        model = _model_of(view)
        action = _ACTION_FOR_METHOD.get(request.method)
        if model is None or action is None:
            return False
        return user.has_perm(f"{model._meta.app_label}.{action}_{model._meta.model_name}")


def _model_of(view):
    queryset = getattr(view, "queryset", None)
    if queryset is None and hasattr(view, "get_queryset"):
        try:
            queryset = view.get_queryset()
        except (AssertionError, AttributeError):
            return None
    return getattr(queryset, "model", None)


class IsOwnerSignedIn(BasePermission):
    """For per-user endpoints: signed-in users only (their objects come from OwnedQuerysetMixin)."""

    def has_permission(self, request, view):
        return bool(request.user and request.user.is_authenticated)


class OwnedQuerysetMixin:
    """A viewset mixin: the queryset holds only the requesting user's objects.

    Set ``owner_field`` (default ``"user"``). Another user's object is not in the queryset, so
    ``get_object()`` answers 404 for it whatever the method; creating sets the owner, which
    the serializer must list as read-only.
    """

    owner_field = "user"
    permission_classes = [IsOwnerSignedIn]

    def get_queryset(self):
        queryset = super().get_queryset()
        user = self.request.user
        if not (user and user.is_authenticated):
            return queryset.none()
        return queryset.filter(**{self.owner_field: user})

    def perform_create(self, serializer):
        serializer.save(**{self.owner_field: self.request.user})
