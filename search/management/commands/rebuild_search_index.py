import sys

from django.core.management.base import BaseCommand

from kb.core.sections import SECTIONS, page_model
from search.indexing import get_backend, rebuild


class Command(BaseCommand):
    help = "Rebuild the site search index from the live pages, from scratch."

    def handle(self, *args, **options):
        total = sum(page_model(key).objects.live().public().count() for key, *_ in SECTIONS)
        backend = get_backend()
        interactive = sys.stdout.isatty() and options["verbosity"] > 0

        def progress(done):
            if interactive:
                width = 30
                filled = width * done // max(total, 1)
                self.stdout.write(f"\r[{'#' * filled}{'.' * (width - filled)}] {done}/{total}", ending="")

        count = rebuild(progress=progress)
        if interactive:
            self.stdout.write("")
        self.stdout.write(self.style.SUCCESS(f"Indexed {count} pages ({backend.name} backend)."))
