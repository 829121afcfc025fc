from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class TutorialsConfig(AppConfig):
    name = "tutorials"
    verbose_name = _("Tutorials")

    def ready(self):
        from resources import semantic

        def text(tutorial) -> str:
            parts = (tutorial.title_en, tutorial.title_zh, tutorial.summary_en, tutorial.summary_zh)
            return "\n".join(p.strip() for p in parts if p and p.strip())

        def linked(tutorial) -> set[tuple[str, int]]:
            found = set()
            for key in ("papers", "books", "courses"):
                found |= {(key, pk) for pk in getattr(tutorial, key).values_list("pk", flat=True)}
            return found

        semantic.register(semantic.Embeddable("tutorials", "tutorials.Tutorial", text, linked))
