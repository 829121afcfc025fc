"""What the bookmarks API reads and writes; every field is listed, and only the note is writable.

A bookmark names its item by a short type (the API's own resource names: ``paper``, ``book``,
``course``, ``community``, ``conference``) and the item's id or slug; the item itself is shown
with its title, its page on the site and its address in the API.
"""

from django.contrib.contenttypes.models import ContentType
from django.urls import reverse
from django.utils.translation import gettext as _
from drf_spectacular.extensions import OpenApiSerializerFieldExtension
from drf_spectacular.plumbing import ResolvedComponent
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from accounts import services
from accounts.models import BOOKMARKABLE, Bookmark
from portal.api.serializers import UTCDateTimeField

#: The API's type names -> the model labels of accounts.models.BOOKMARKABLE (the same order).
TYPES = {
    "paper": "resources.paper",
    "book": "resources.book",
    "course": "resources.course",
    "community": "resources.community",
    "conference": "resources.conferenceseries",
}
TYPE_OF_LABEL = {label: name for name, label in TYPES.items()}
assert set(TYPES.values()) == set(BOOKMARKABLE), "every bookmarkable model needs an API type name"

TYPE_HELP = "The item's type: " + ", ".join(TYPES) + "."
#: The largest id a bookmark can point at (the column is a 64-bit integer).
MAX_ID = 2**63 - 1


def type_of_label(label: str) -> str:
    return TYPE_OF_LABEL[label]


class BookmarkTypeField(serializers.ChoiceField):
    """A bookmark's item type, one of TYPES."""

    def __init__(self, **kwargs):
        kwargs.setdefault("help_text", TYPE_HELP)
        super().__init__(choices=list(TYPES), **kwargs)


class BookmarkTypeFieldExtension(OpenApiSerializerFieldExtension):
    """The type is one named enum, BookmarkTypeEnum, wherever it appears (request, response).

    Left inline, the same choices in two components under the common name "type" (which search
    results use for another set) would get an enum name made from a hash, with a warning.
    """

    target_class = BookmarkTypeField

    def map_serializer_field(self, auto_schema, direction):
        component = ResolvedComponent(
            name="BookmarkTypeEnum",
            type=ResolvedComponent.SCHEMA,
            object="BookmarkTypeEnum",
            schema={"type": "string", "enum": list(TYPES)},
        )
        auto_schema.registry.register_on_missing(component)
        return component.ref


class BookmarkedItemSerializer(serializers.Serializer):
    """The bookmarked catalogue item, as much of it as a list of bookmarks shows."""

    id = serializers.IntegerField(read_only=True)
    slug = serializers.SlugField(read_only=True)
    title = serializers.SerializerMethodField(
        help_text="Its title (a community's name, a conference's short name)."
    )
    url = serializers.SerializerMethodField(help_text="Its page on the site.")
    api_url = serializers.SerializerMethodField(help_text="The item in the API.")

    def get_title(self, item) -> str:
        return str(item)

    @extend_schema_field({"type": "string", "format": "uri"})
    def get_url(self, item) -> str:
        return self._absolute(item.get_absolute_url())

    @extend_schema_field({"type": "string", "format": "uri"})
    def get_api_url(self, item) -> str:
        name = type_of_label(services.label_for(item))
        return self._absolute(reverse(f"api:{name}-detail", args=[item.slug]))

    def _absolute(self, path: str) -> str:
        request = self.context.get("request")
        return request.build_absolute_uri(path) if request is not None else path


class BookmarkSerializer(serializers.ModelSerializer):
    """One bookmark of the signed-in user: what it points at, the user's note, when it was made."""

    url = serializers.HyperlinkedIdentityField(
        view_name="api:bookmark-detail",
        lookup_field="pk",
        lookup_url_kwarg="id",
        help_text="This bookmark in the API.",
    )
    type = serializers.SerializerMethodField(help_text=TYPE_HELP)
    item = BookmarkedItemSerializer(source="target", read_only=True, allow_null=True)
    created_at = UTCDateTimeField(read_only=True, help_text="When it was bookmarked.")

    class Meta:
        model = Bookmark
        fields = ["id", "url", "type", "item", "note", "created_at"]
        read_only_fields = ["id", "url", "type", "item", "created_at"]
        extra_kwargs = {"note": {"help_text": "The user's own note on the item; may be empty."}}

    @extend_schema_field(BookmarkTypeField())
    def get_type(self, bookmark) -> str:
        # Content types are cached by id once bookmarks_for() has looked them up: no query.
        content_type = ContentType.objects.get_for_id(bookmark.content_type_id)
        return type_of_label(f"{content_type.app_label}.{content_type.model}")


class BookmarkCreateSerializer(serializers.Serializer):
    """The body of a new bookmark: the item's type and its id or slug, and an optional note."""

    type = BookmarkTypeField()
    id = serializers.IntegerField(
        min_value=1, max_value=MAX_ID, required=False, help_text="The item's id (used when both are given)."
    )
    slug = serializers.SlugField(max_length=120, required=False, help_text="The item's slug.")
    note = serializers.CharField(
        max_length=Bookmark._meta.get_field("note").max_length,
        required=False,
        allow_blank=True,
        default="",
        help_text="A note of your own; bookmarking an item again with a note replaces the old one.",
    )

    def validate(self, attrs):
        object_id, slug = attrs.get("id"), attrs.get("slug")
        if object_id is None and not slug:
            raise serializers.ValidationError({"id": [_("Name the item by its id or its slug.")]})
        label = TYPES[attrs["type"]]
        model = services.model_for_label(label)
        try:
            attrs["target"] = services.get_target(
                label, object_id=object_id, slug=None if object_id is not None else slug
            )
        except model.DoesNotExist:
            field = "id" if object_id is not None else "slug"
            message = _("There is no published %(type)s with this identifier.") % {
                "type": model._meta.verbose_name
            }
            raise serializers.ValidationError({field: [message]}) from None
        return attrs
