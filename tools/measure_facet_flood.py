"""Time and size of /search/ and /api/search/ with 1,000 values of one facet. Run: manage.py shell < tools/measure_facet_flood.py"""

import time

from django.test import Client

c = Client()
for label, params in [
    ("ascii", {"issue": [f"v{i}" for i in range(1000)]}),
    ("chinese", {"issue": [f"议题{i}" for i in range(1000)]}),
]:
    for url in ("/search/", "/api/search/"):
        start = time.perf_counter()
        r = c.get(url, params, HTTP_HOST="127.0.0.1")
        print(f"{label} {url}: {r.status_code} {len(r.content)} bytes {time.perf_counter() - start:.3f} s")
