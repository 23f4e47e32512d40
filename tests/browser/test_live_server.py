"""The live server the browser tests load answers while the test writes, as it does when a page's
last requests (an editing session's release beacon, say) run into the test's next step."""

import urllib.parse
import urllib.request
from concurrent.futures import ThreadPoolExecutor

from tests.factories import CasePageFactory, publish


def test_the_live_server_reads_while_the_test_writes(server_url, indexes):
    """Each request thread needs a database connection of its own (kb/settings/test.py): sharing
    the test's, as Django does for an in-memory SQLite database, fails with "table is locked"."""

    def case(number):
        page = CasePageFactory(
            parent=indexes["case"],
            title=f"停车案例{number}",
            slug=f"parking-{number}",
            summary="居民商量停车。",
        )
        return publish(page)

    case(0)
    paths = [
        "/api/search/?q=" + urllib.parse.quote("停车"),
        "/search/?q=" + urllib.parse.quote("停车"),
        "/cases/",
    ]

    def status(path):
        try:
            with urllib.request.urlopen(server_url + path, timeout=30) as reply:
                return reply.status
        except Exception as error:  # an answer of 500, or none
            return repr(error)

    with ThreadPoolExecutor(max_workers=8) as pool:
        statuses = pool.map(status, paths * 60)
        for number in range(1, 11):
            case(number)
        statuses = list(statuses)
    assert statuses == [200] * len(statuses)
