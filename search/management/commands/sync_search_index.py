from django.core.management.base import BaseCommand, CommandError

from search import health
from search.backends.elasticsearch import SearchUnavailable
from search.indexing import elasticsearch_enabled, pending_count, rebuild_elasticsearch, send_pending


class Command(BaseCommand):
    help = (
        "Bring Elasticsearch up to date: send the page changes it missed while it was unreachable "
        "(publishing never waits for it), or rebuild its index when it is empty, stale or of another "
        "generation than the last rebuild. Nothing to do without ELASTICSEARCH_URL."
    )

    def handle(self, *args, **options):
        if not elasticsearch_enabled():
            self.stdout.write("ELASTICSEARCH_URL is not set: the database index is always up to date.")
            return
        waiting = pending_count()
        verdict = health.check_elasticsearch()
        if not verdict.reachable:
            raise CommandError(f"Elasticsearch {verdict.reason}; {waiting} page change(s) stay queued.")
        if not verdict.usable:
            self.stdout.write(f"The Elasticsearch index is not complete ({verdict.reason}): rebuilding it.")
            try:
                count = rebuild_elasticsearch()
            except SearchUnavailable as error:
                raise CommandError(f"{error}; {waiting} page change(s) stay queued.") from error
            self.stdout.write(self.style.SUCCESS(f"Rebuilt the Elasticsearch index: {count} pages."))
            return
        sent = send_pending()
        if sent is None:
            raise CommandError(f"Elasticsearch is unreachable; {waiting} page change(s) stay queued.")
        health.forget()
        self.stdout.write(self.style.SUCCESS(f"Sent {sent} page change(s) to Elasticsearch."))
