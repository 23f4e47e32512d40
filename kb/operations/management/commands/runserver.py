"""`runserver` (what `make run` serves with) warms up before it takes requests.

The same warm-up as each gunicorn worker's (kb/operations/warmup.py), so a development server's
first search does not load what it needs while a reader waits. Static files are still served as
django.contrib.staticfiles' runserver serves them: this app is listed before it, so its command
is the one `manage.py runserver` runs.
"""

import traceback

from django.contrib.staticfiles.management.commands.runserver import Command as StaticFilesRunserver

from kb.operations.warmup import warm_before_serving


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
        self.command.stderr.write(message % args + "\n" + traceback.format_exc())
