from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class TutorialsConfig(AppConfig):
    name = "tutorials"
    verbose_name = _("Tutorials")

    def ready(self):
        # What the catalogue shows of tutorials (search, "tutorials on this topic / paper") it
        # learns here: resources imports no other app of ours.
        from resources import registry, semantic
        from resources.search import SearchType
        from tutorials.models import Tutorial

        registry.register_search_type(
            SearchType(
                "tutorials",
                _("Tutorials"),
                Tutorial,
                ("title_en", "title_zh"),
                ("title_en", "title_zh", "summary_en", "summary_zh", "body_en", "body_zh"),
                ("summary_en",),
                snippet_zh="summary_zh",
                full_text=False,
                list_url="tutorials:list",
                api_basename="tutorial",
            ),
            after="courses",
        )
        registry.register_tutorial_finder(find_tutorials)

        # Embedded for search by meaning, related items and recommendations.
        def text(tutorial) -> str:
            parts = (tutorial.title_en, tutorial.title_zh, tutorial.summary_en, tutorial.summary_zh)
            return "\n".join(p.strip() for p in parts if p and p.strip())

        def linked(tutorial) -> set[tuple[str, int]]:
            found = set()
            for key in ("papers", "books", "courses"):
                found |= {(key, pk) for pk in getattr(tutorial, key).values_list("pk", flat=True)}
            return found

        semantic.register(semantic.Embeddable("tutorials", "tutorials.Tutorial", text, linked))


def find_tutorials(topic_ids=None, *, limit: int, **lookup) -> list:
    """Published tutorials on any of these topics (or matching ``lookup``), at most ``limit``."""
    from tutorials.models import Tutorial

    queryset = Tutorial.objects.published()
    if topic_ids is not None:
        queryset = queryset.filter(topics__in=topic_ids).distinct()
    if lookup:
        queryset = queryset.filter(**lookup).distinct()
    return list(queryset[:limit])
