"""Time and size of /search/ and /api/search/ with 1,000 values of one facet (refused: 400), and with
as many real vocabulary values as the limits accept (every one a chip on /search/).
Run: manage.py shell < tools/measure_facet_flood.py"""

import time
from urllib.parse import urlencode

from django.test import Client

from kb.vocabularies.models import Actor, Issue, Method
from search.query import MAX_QUERY_STRING, MAX_VALUES_PER_FACET


def at_the_limits():
    """Issue, actor and method values that exist, up to 30 each and 4,000 characters in all."""
    pairs = []
    for facet, model in (("issue", Issue), ("actor", Actor), ("method", Method)):
        for name in model.objects.order_by("pk").values_list("name", flat=True)[:MAX_VALUES_PER_FACET]:
            if len(urlencode([*pairs, (facet, name)])) > MAX_QUERY_STRING:
                return pairs
            pairs.append((facet, name))
    return pairs


c = Client()
chips = at_the_limits()
for label, params in [
    ("ascii", {"issue": [f"v{i}" for i in range(1000)]}),
    ("chinese", {"issue": [f"议题{i}" for i in range(1000)]}),
    (f"{len(chips)} real values", chips),
]:
    for url in ("/search/", "/api/search/"):
        query = urlencode(params, doseq=True)
        best = None
        for _ in range(5):
            start = time.perf_counter()
            r = c.get(f"{url}?{query}", HTTP_HOST="127.0.0.1")
            elapsed = time.perf_counter() - start
            best = elapsed if best is None else min(best, elapsed)
        print(f"{label} {url}: {r.status_code} {len(r.content)} bytes, best of 5 {best:.3f} s")
