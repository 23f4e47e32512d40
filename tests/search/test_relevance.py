"""Every practitioner query of the relevance set finds what it should, on the demo content."""

from io import StringIO

import pytest
from django.core.management import call_command

from benchmarks.relevance import evaluate, load_relevance_set, site_search


@pytest.fixture
def demo_content(db, search_backend):
    call_command("load_demo_content", stdout=StringIO())


def test_relevance_set_is_large_enough():
    entries = load_relevance_set()
    assert len([e for e in entries if e.get("expect")]) >= 30
    assert all(e.get("why") for e in entries)


def test_every_query_of_the_relevance_set_passes(demo_content, search_backend):
    failures = [o for o in evaluate(site_search) if not o.passed]
    assert failures == []
