"""What the catalogue shows of other apps' items, filled in by those apps.

``resources`` imports no other app of ours, yet its pages list the tutorials on a topic or for a
paper, and the site's search covers tutorials. The app that keeps tutorials registers, from its
``AppConfig.ready``, a search type (``resources.search.SearchType``) and a function that finds its
published items; the catalogue asks here and gets nothing when no app answered (an installation
without tutorials). ``resources/personal.py`` does the same for what a reader follows.
"""

from collections.abc import Callable

_search_types: list = []
_tutorial_finders: list[Callable] = []


def register_search_type(search_type, *, after: str | None = None) -> None:
    """Search ``search_type`` too; it is listed after the type keyed ``after`` (else last)."""
    if any(known.key == search_type.key for known, _ in _search_types):
        return
    _search_types.append((search_type, after))


def search_types(builtin: list) -> list:
    """``builtin`` with the registered types placed where each asked to be."""
    types = list(builtin)
    for search_type, after in _search_types:
        keys = [known.key for known in types]
        types.insert(keys.index(after) + 1 if after in keys else len(types), search_type)
    return types


def register_tutorial_finder(finder: Callable) -> None:
    """``finder(topic_ids=None, limit=..., **lookup) -> list`` of published tutorials on any of
    these topics (or matching ``lookup``, such as ``papers=paper``), at most ``limit``."""
    if finder not in _tutorial_finders:
        _tutorial_finders.append(finder)


def tutorials(topic_ids=None, *, limit: int, **lookup) -> list:
    """The registered finders' tutorials, at most ``limit``; none when no app registered one."""
    found: list = []
    for finder in _tutorial_finders:
        found += finder(topic_ids, limit=limit - len(found), **lookup)
        if len(found) >= limit:
            break
    return found[:limit]
