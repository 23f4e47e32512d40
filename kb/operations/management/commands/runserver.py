"""`runserver` (what `make run` serves with) warms the search up before it takes requests.

The same warm-up as each gunicorn worker's (kb/operations/gunicorn_conf.py), so a development
server's first search does not load the facet bitmaps and the text analysis's tables while a
reader waits (at 10,000 pages that first request took 89 ms, against 10 ms for the next ones).
Static files are still served as django.contrib.staticfiles' runserver serves them: this app is
listed before it, so its command is the one `manage.py runserver` runs.
"""

from django.contrib.staticfiles.management.commands.runserver import Command as StaticFilesRunserver

from search.service import warm_before_serving


class Command(StaticFilesRunserver):
    def get_handler(self, *args, **options):
        """The last step before the server takes requests (after its checks), in the process that
        serves them: the autoreloader's child, or this one with --noreload."""
        warm_before_serving(_Console(self))
        return super().get_handler(*args, **options)


class _Console:
    """A logger's info and exception, written where runserver writes its own messages."""

    def __init__(self, command):
        self.command = command

    def info(self, message, *args):
        self.command.stdout.write(message % args)

    def exception(self, message, *args):
        import traceback

        self.command.stderr.write(message % args + "\n" + traceback.format_exc())
