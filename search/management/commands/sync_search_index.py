from django.core.management.base import BaseCommand, CommandError

from search.indexing import elasticsearch_enabled, pending_count, send_pending


class Command(BaseCommand):
    help = (
        "Send Elasticsearch the page changes it missed while it was unreachable "
        "(publishing never waits for it). Nothing to do without ELASTICSEARCH_URL."
    )

    def handle(self, *args, **options):
        if not elasticsearch_enabled():
            self.stdout.write("ELASTICSEARCH_URL is not set: the database index is always up to date.")
            return
        waiting = pending_count()
        sent = send_pending()
        if sent is None:
            raise CommandError(f"Elasticsearch is unreachable; {waiting} page change(s) stay queued.")
        self.stdout.write(self.style.SUCCESS(f"Sent {sent} page change(s) to Elasticsearch."))
