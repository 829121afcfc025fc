"""Write the stylesheet that colours highlighted code in tutorials, from Pygments' own styles.

    python manage.py build_highlight_css [--check]

The output, ``tutorials/static/tutorials/highlight.css``, is committed: the web side serves it as
a plain static file. Run the command again after upgrading Pygments; ``--check`` exits with
status 1 when the committed file differs from what this Pygments would write (a test runs it).
"""

from django.core.management.base import BaseCommand, CommandError

from tutorials.rendering import HIGHLIGHT_CSS, highlight_css


class Command(BaseCommand):
    help = "Write tutorials/static/tutorials/highlight.css from Pygments' styles (light and dark)."

    def add_arguments(self, parser):
        parser.add_argument("--check", action="store_true", help="only compare; exit 1 if the file is stale")

    def handle(self, *args, **options):
        wanted = highlight_css()
        current = HIGHLIGHT_CSS.read_text(encoding="utf-8") if HIGHLIGHT_CSS.exists() else ""
        if options["check"]:
            if current != wanted:
                raise CommandError(f"{HIGHLIGHT_CSS} is stale; run manage.py build_highlight_css")
            if options["verbosity"]:
                self.stdout.write(f"{HIGHLIGHT_CSS.name} is current")
            return
        HIGHLIGHT_CSS.write_text(wanted, encoding="utf-8")
        if options["verbosity"]:
            self.stdout.write(f"wrote {HIGHLIGHT_CSS} ({len(wanted.splitlines())} lines)")
