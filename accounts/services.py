"""Bookmarks: the one place that adds, removes and lists them, for the web views and the REST API.

Only published catalogue items can be bookmarked or listed; a bookmark whose item was later
unpublished or deleted stays in the table but is left out of every listing and export.
"""

from dataclasses import dataclass, field
from functools import reduce
from operator import or_

from django.apps import apps
from django.contrib.contenttypes.models import ContentType
from django.contrib.contenttypes.prefetch import GenericPrefetch
from django.db import models

from accounts.models import BOOKMARKABLE, Bookmark


class NotBookmarkable(LookupError):
    """The label does not name a model that readers may bookmark."""


def bookmarkable_models() -> list[type[models.Model]]:
    return [apps.get_model(label) for label in BOOKMARKABLE]


def model_for_label(label: str) -> type[models.Model]:
    """The model behind an "app_label.model_name" label such as "resources.paper"."""
    normalized = (label or "").strip().lower()
    if normalized not in BOOKMARKABLE:
        raise NotBookmarkable(label)
    return apps.get_model(normalized)


def label_for(obj: models.Model) -> str:
    return obj._meta.label_lower


def get_target(label: str, *, object_id: int | None = None, slug: str | None = None) -> models.Model:
    """The published item named by its type label and its id or slug.

    Raises NotBookmarkable for a label outside BOOKMARKABLE and the model's DoesNotExist when no
    published item matches.
    """
    model = model_for_label(label)
    published = model._default_manager.published()
    if object_id is not None:
        return published.get(pk=object_id)
    if slug:
        return published.get(slug=slug)
    raise ValueError("get_target() needs an object_id or a slug")


def _check_bookmarkable(obj: models.Model) -> ContentType:
    if label_for(obj) not in BOOKMARKABLE:
        raise NotBookmarkable(label_for(obj))
    return ContentType.objects.get_for_model(obj)


def set_bookmark(user, obj: models.Model, bookmarked: bool, note: str = "") -> bool:
    """Make ``obj`` bookmarked or not for ``user``, whatever it was before; returns the new state.

    Idempotent, so that a form submitted twice (double click, back button) lands where the reader
    meant rather than flipping back.
    """
    key = {"user": user, "content_type": _check_bookmarkable(obj), "object_id": obj.pk}
    if not bookmarked:
        Bookmark.objects.filter(**key).delete()
        return False
    # get_or_create survives a concurrent request inserting the same row (unique constraint).
    bookmark, created = Bookmark.objects.get_or_create(**key, defaults={"note": note})
    if not created and note and note != bookmark.note:
        Bookmark.objects.filter(pk=bookmark.pk).update(note=note)
    return True


def toggle_bookmark(user, obj: models.Model, note: str = "") -> bool:
    """Bookmark ``obj`` for ``user``, or remove the bookmark it has; returns the new state."""
    content_type = _check_bookmarkable(obj)
    deleted, _ = Bookmark.objects.filter(user=user, content_type=content_type, object_id=obj.pk).delete()
    if deleted:
        return False
    return set_bookmark(user, obj, True, note=note)


def is_bookmarked(user, obj: models.Model) -> bool:
    if not user.is_authenticated or label_for(obj) not in BOOKMARKABLE:
        return False
    return Bookmark.objects.filter(
        user=user, content_type=ContentType.objects.get_for_model(obj), object_id=obj.pk
    ).exists()


def bookmarked_keys(user, objects) -> set[tuple[str, int]]:
    """``(label, pk)`` of those ``objects`` that ``user`` bookmarked, in one query (for list pages)."""
    objects = [obj for obj in objects if label_for(obj) in BOOKMARKABLE]
    if not user.is_authenticated or not objects:
        return set()
    by_type: dict[type, list[int]] = {}
    for obj in objects:
        by_type.setdefault(type(obj), []).append(obj.pk)
    content_types = ContentType.objects.get_for_models(*by_type)
    condition = reduce(
        or_, (models.Q(content_type=content_types[m], object_id__in=pks) for m, pks in by_type.items())
    )
    rows = Bookmark.objects.filter(condition, user=user).values_list("content_type_id", "object_id")
    labels = {ct.pk: model._meta.label_lower for model, ct in content_types.items()}
    return {(labels[ct_id], object_id) for ct_id, object_id in rows}


def _published_targets() -> list[models.QuerySet]:
    querysets = []
    for model in bookmarkable_models():
        queryset = model._default_manager.published()
        if any(f.name == "search_vector" for f in model._meta.concrete_fields):
            queryset = queryset.defer("search_vector")  # big, and never shown
        if model._meta.label_lower == "resources.paper":
            queryset = queryset.select_related("venue_edition__series")
        querysets.append(queryset)
    return querysets


def bookmarks_for(user) -> models.QuerySet:
    """The user's bookmarks on published items, newest first, each with ``target`` loaded.

    Runs one query for the bookmarks plus one per item type present, however many there are.
    """
    if not user.is_authenticated:
        return Bookmark.objects.none()
    content_types = ContentType.objects.get_for_models(*bookmarkable_models())
    visible = reduce(
        or_,
        (
            models.Q(content_type=ct, object_id__in=model._default_manager.published().values("pk"))
            for model, ct in content_types.items()
        ),
    )
    targets = GenericPrefetch("target", _published_targets())
    return Bookmark.objects.filter(visible, user=user).prefetch_related(targets)


@dataclass
class BookmarkGroup:
    label: str
    verbose_name_plural: str
    bookmarks: list = field(default_factory=list)


def group_by_type(bookmarks) -> list[BookmarkGroup]:
    """Bookmarks grouped by item type, in BOOKMARKABLE order, leaving out empty groups."""
    groups = {
        model._meta.label_lower: BookmarkGroup(model._meta.label_lower, model._meta.verbose_name_plural)
        for model in bookmarkable_models()
    }
    for bookmark in bookmarks:
        if bookmark.target is not None:
            groups[label_for(bookmark.target)].bookmarks.append(bookmark)
    return [group for group in groups.values() if group.bookmarks]


def bookmarked_papers(user) -> models.QuerySet:
    """The published papers ``user`` bookmarked, newest first (for the BibTeX export)."""
    paper_model = model_for_label("resources.paper")
    if not user.is_authenticated:
        return paper_model._default_manager.none()
    ids = Bookmark.objects.filter(
        user=user, content_type=ContentType.objects.get_for_model(paper_model)
    ).values("object_id")
    return paper_model._default_manager.published().filter(pk__in=ids).order_by("-year", "title")


#: The longest question the library search takes (as long as the site search's).
LIBRARY_QUERY_MAX = 200


@dataclass
class FoundBookmarks:
    bookmarks: list
    mode_used: str  # "hybrid": by meaning and by words; "keyword": by words only
    fallback_reason: str = ""  # resources.search.FALLBACKS' key when meaning could not be used


def _bookmark_text(bookmark) -> str:
    item = bookmark.target
    parts = [str(item), bookmark.note, *(getattr(item, "authors", None) or [])]
    parts += [getattr(item, name, "") or "" for name in ("full_name", "description_en", "description_zh")]
    return "\n".join(parts).lower()


def find_in_bookmarks(bookmarks, query: str) -> FoundBookmarks:
    """The bookmarks whose items answer ``query``, best first: those holding every word of it
    (title, authors, descriptions, the reader's note), then those close to it in meaning (the
    item's stored sentence embedding against the query's); a phrase in the reader's own words
    finds a paper that shares none of them. Without vectors or a model, words only, and
    ``fallback_reason`` says why."""
    from resources import embeddings, search, semantic

    bookmarks = [b for b in bookmarks if b.target is not None]
    query = search.clean_query(query)
    words = [w.lower() for w in search.terms(query)] or [query.lower()]
    by_words = {b.pk for b in bookmarks if all(w in _bookmark_text(b) for w in words)}
    closeness: dict[int, float] = {}
    reason = ""
    index = semantic.index()
    if not len(index):
        reason = "not_embedded"
    else:
        try:
            vector = embeddings.encode_query(query)
        except embeddings.EncoderUnavailable:
            reason = "model_unavailable"
        else:
            for bookmark in bookmarks:
                kind = semantic.kind_of(type(bookmark.target))
                stored = index.vector(kind, bookmark.target.pk) if kind else None
                if stored is not None:
                    closeness[bookmark.pk] = float(stored @ vector)
    found = [b for b in bookmarks if b.pk in by_words or closeness.get(b.pk, -1.0) >= semantic.MIN_SIMILARITY]
    found.sort(key=lambda b: (b.pk not in by_words, -closeness.get(b.pk, 0.0)))
    return FoundBookmarks(found, "keyword" if reason else "hybrid", reason)
