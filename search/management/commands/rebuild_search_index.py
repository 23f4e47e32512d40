import sys

from django.core.management.base import BaseCommand, CommandError

from kb.core.page_types import page_model, type_keys
from search.backends.elasticsearch import SearchUnavailable
from search.indexing import index_backends, rebuild


class Command(BaseCommand):
    help = (
        "Rebuild the search indexes from the live pages, from scratch: the database index, and the "
        "Elasticsearch index when ELASTICSEARCH_URL is set (a new versioned index, then the alias "
        "is swapped to it)."
    )

    def handle(self, *args, **options):
        total = sum(page_model(key).objects.live().public().count() for key in type_keys())
        interactive = sys.stdout.isatty() and options["verbosity"] > 0

        def progress(backend, done):
            if interactive:
                width = 30
                filled = width * done // max(total, 1)
                bar = f"{'#' * filled}{'.' * (width - filled)}"
                self.stdout.write(f"\r{backend:>13} [{bar}] {done}/{total}", ending="")
                if done == total:
                    self.stdout.write("")

        try:
            count = rebuild(progress=progress)
        except SearchUnavailable as error:
            raise CommandError(
                f"{error}. The database index was rebuilt; run this again when it is back."
            ) from error
        names = " and ".join(backend.name for backend in index_backends())
        self.stdout.write(self.style.SUCCESS(f"Indexed {count} pages ({names})."))
