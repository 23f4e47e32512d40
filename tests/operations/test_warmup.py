"""The warm-up a server process runs before its first request (kb/operations/warmup.py)."""

import pytest
from django.db import connection
from django.urls import clear_url_caches, get_resolver

from kb.operations import warmup


class Log:
    def __init__(self):
        self.infos, self.exceptions = [], []

    def info(self, message, *args):
        self.infos.append(message % args)

    def exception(self, message, *args):
        self.exceptions.append(message % args)


# The warm-up closes its connections: a real transaction, the migrations' data restored afterwards.
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_the_warm_up_builds_the_url_tables_and_closes_its_connections():
    clear_url_caches()
    log = Log()
    warmup.warm_before_serving(log)
    assert get_resolver()._populated  # the first request's reverse() finds them built
    assert log.exceptions == [] and log.infos[0].startswith("Warmed up for the first request in")
    assert connection.connection is None


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_a_failed_warm_up_is_logged_and_the_server_still_starts(monkeypatch):
    def fail():
        raise RuntimeError("no such table: search_searchfacetsnapshot")

    monkeypatch.setattr(warmup, "warm_search", fail)
    log = Log()
    warmup.warm_before_serving(log)  # does not raise
    assert log.infos == [] and log.exceptions == [
        "Warm-up failed; the first request will load what it needs."
    ]
