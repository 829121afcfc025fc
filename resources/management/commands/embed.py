"""Compute the sentence embeddings of every published catalogue item and tutorial.

    python manage.py embed [--kind papers] [--batch-size 64] [--force] [--dry-run]

Items whose text (and model) did not change since their vector was stored are skipped by their
content hash, and each batch is committed on its own, so a run that was stopped resumes where it
left off. A progress bar shows on a terminal (verbosity 1 or more); the last line sums it up.
"""

import sys
import time

from django.core.management.base import BaseCommand, CommandError

from resources import embeddings, semantic
from resources.models import Embedding


class Command(BaseCommand):
    help = "Compute the sentence embeddings of every published item (skips unchanged text)."

    def add_arguments(self, parser):
        parser.add_argument(
            "--kind", action="append", choices=sorted(semantic.types()), help="only these types"
        )
        parser.add_argument("--batch-size", type=int, default=64)
        parser.add_argument("--force", action="store_true", help="encode every item again")
        parser.add_argument(
            "--dry-run", action="store_true", help="count what would be encoded; write nothing"
        )

    def handle(self, *args, **options):
        kinds = options["kind"] or sorted(semantic.types())
        size = max(1, options["batch_size"])
        started = time.perf_counter()
        encoded = unchanged = 0
        for kind in kinds:
            spec = semantic.types()[kind]
            rows = spec.published().order_by("pk")
            total = rows.count()
            if options["dry_run"]:
                stored = Embedding.objects.filter(kind=kind, model=embeddings.MODEL_NAME).count()
                self.stdout.write(f"{kind}: {total} published, {stored} vectors stored")
                continue
            bar = None
            if options["verbosity"] >= 1 and sys.stderr.isatty():
                from tqdm import tqdm

                bar = tqdm(total=total, desc=kind, unit="item")
            last = 0
            while True:
                batch = list(rows.filter(pk__gt=last)[:size])
                if not batch:
                    break
                last = batch[-1].pk
                try:
                    done, same = semantic.embed(kind, batch, force=options["force"])
                except embeddings.EncoderUnavailable as exc:
                    raise CommandError(f"the embedding model cannot be loaded: {exc}") from exc
                encoded, unchanged = encoded + done, unchanged + same
                if bar:
                    bar.update(len(batch))
            if bar:
                bar.close()
        semantic.bump_version()
        seconds = time.perf_counter() - started
        rate = encoded / seconds if seconds and encoded else 0.0
        self.stdout.write(
            f"embedded {encoded} items, {unchanged} unchanged, in {seconds:.1f} s ({rate:.1f} items/s)"
        )
