"""Whether the Elasticsearch index may answer searches, and the search status `/healthz` reports.

Elasticsearch answers only when it is reachable and holds what the database says it should: the
index behind the alias carries the generation marker of the last rebuild recorded in the
database (`ElasticsearchGeneration`), and, when no change waits in the outbox, as many pages as
the database index. An emptied cluster (no index), an index from another rebuild or site (another
marker) or a stale one (another count) is never served: the database answers, the API says so
(`"backend": "database"`), and a rebuild of the Elasticsearch index is requested (in the
background; `sync_search_index` does the same from the command line).

The verdict is kept per process and checked again at most every ELASTICSEARCH_RETRY_SECONDS, so
asking (each search, `/healthz` every second) costs no request to the cluster in between.
"""

import logging
import threading
import time
import uuid
from dataclasses import dataclass

from django.conf import settings
from elasticsearch import NotFoundError

from .backends.elasticsearch import UNAVAILABLE_ERRORS, ElasticsearchBackend, mapping_fingerprint
from .models import ElasticsearchGeneration, PendingIndexChange, SearchEntry

logger = logging.getLogger(__name__)


@dataclass
class Verdict:
    usable: bool
    reachable: bool
    reason: str  # for operators, in English; "" when usable
    next_check: float  # time.monotonic() after which the cluster is checked again


_verdicts = {}  # (URL, alias) → Verdict
_lock = threading.Lock()


def elasticsearch_enabled():
    return bool(settings.ELASTICSEARCH_URL)


def _key():
    return (settings.ELASTICSEARCH_URL, settings.ELASTICSEARCH_INDEX)


def _store(usable, reachable, reason):
    verdict = Verdict(usable, reachable, reason, time.monotonic() + settings.ELASTICSEARCH_RETRY_SECONDS)
    with _lock:
        _verdicts[_key()] = verdict
    return verdict


def forget():
    """Check the cluster again at the next search (after a rebuild, and in tests)."""
    with _lock:
        _verdicts.clear()


def new_generation():
    return uuid.uuid4().hex


def record_generation(alias, generation, index_name, count):
    """The rebuild that filled `index_name` with `generation` is now what the alias should hold."""
    ElasticsearchGeneration.objects.update_or_create(
        alias=alias, defaults={"generation": generation, "index_name": index_name, "document_count": count}
    )


def check_elasticsearch():
    """A fresh Verdict: the cluster's answer to three small requests, compared with the database."""
    backend = ElasticsearchBackend()
    expected = ElasticsearchGeneration.objects.filter(alias=backend.alias).first()
    try:
        markers = backend.markers_behind_alias()
        if not markers:
            return Verdict(False, True, f"no index behind the alias {backend.alias} (cluster emptied?)", 0)
        found = {generation for generation, _ in markers.values()}
        if expected is None:
            return Verdict(False, True, "no rebuild of this index is recorded in the database", 0)
        if found != {expected.generation}:
            return Verdict(
                False,
                True,
                f"index generation {', '.join(sorted(found)) or 'none'} is not the last rebuild "
                f"({expected.generation})",
                0,
            )
        if {mapping for _, mapping in markers.values()} != {mapping_fingerprint()}:
            return Verdict(
                False, True, "the index was made with another mapping than this code's (an upgrade)", 0
            )
        if PendingIndexChange.objects.exists():
            return Verdict(True, True, "", 0)  # counts differ until the outbox is sent
        in_cluster = backend.count()
        in_database = SearchEntry.objects.count()
        if in_cluster != in_database and not PendingIndexChange.objects.exists():
            return Verdict(
                False, True, f"index holds {in_cluster} pages, the database index {in_database}", 0
            )
    except UNAVAILABLE_ERRORS as error:
        return Verdict(False, False, f"unreachable or answering nonsense: {error}", 0)
    return Verdict(True, True, "", 0)


def elasticsearch_usable():
    """Whether searches may go to Elasticsearch now (checking the cluster if the last check is old)."""
    if not elasticsearch_enabled():
        return False
    with _lock:
        verdict = _verdicts.get(_key())
    if verdict is None or time.monotonic() >= verdict.next_check:
        verdict = _check_and_store()
        if not verdict.usable and _report(verdict):
            verdict = _check_and_store()  # the rebuild ran here and then (inline sender)
    return verdict.usable


def _check_and_store():
    verdict = check_elasticsearch()
    return _store(verdict.usable, verdict.reachable, verdict.reason)


def _report(verdict):
    """Log why the cluster is not used and, when it is reachable, ask for a rebuild; whether the
    rebuild has already run (inline sender)."""
    from . import outbox

    logger.warning(
        "Elasticsearch at %s is not used for searches: %s; searching the database.",
        settings.ELASTICSEARCH_URL,
        verdict.reason,
    )
    return verdict.reachable and outbox.request_rebuild()


def mark_unavailable(error):
    """A request failed: the database answers until the next check, which may request a rebuild."""
    if isinstance(error.__cause__, NotFoundError) or isinstance(error, NotFoundError):
        mark_inconsistent(f"the index behind the alias is gone ({error})")
        return
    _report(_store(False, False, f"unreachable or answering nonsense: {error}"))


def mark_inconsistent(reason):
    _report(_store(False, True, reason))


def search_status():
    """What `/healthz` reports about search, cheap enough to ask every second.

    {"backend": "database" | "elasticsearch" (the one answering searches now),
     "configured": the backend the settings ask for, "reachable": bool, "pending": changes in
     the outbox, "consistent": whether the configured index holds what it should,
     "reason": why not, for operators ("" when all is well)}
    """
    pending = PendingIndexChange.objects.values("page_id").distinct().count()
    if not elasticsearch_enabled():
        return {
            "backend": "database",
            "configured": "database",
            "reachable": True,
            "pending": pending,
            "consistent": True,
            "reason": "",
        }
    usable = elasticsearch_usable()
    with _lock:
        verdict = _verdicts.get(_key())
    return {
        "backend": "elasticsearch" if usable else "database",
        "configured": "elasticsearch",
        "reachable": verdict.reachable,
        "pending": pending,
        "consistent": verdict.usable,
        "reason": verdict.reason,
    }
