# ruff: noqa: E402
"""Publish time with a hung Elasticsearch (accepts, never answers). Run: manage.py shell < tools/measure_hung_publish.py
(on a throwaway database: DATABASE_URL=sqlite:////tmp/kb-measure.sqlite3 after migrate)."""

import socket
import threading
import time

s = socket.socket()
s.bind(("127.0.0.1", 0))
s.listen(50)
held = []
threading.Thread(target=lambda: [held.append(s.accept()[0]) for _ in iter(int, 1)], daemon=True).start()
from django.conf import settings

settings.ELASTICSEARCH_URL = f"http://127.0.0.1:{s.getsockname()[1]}"
from cases.models import CasePage
from django.db import transaction

from kb.core.sections import index_model
from kb.core.site_structure import ensure_site_structure

ensure_site_structure()
parent = index_model("case").objects.get()
for i in range(3):
    page = CasePage(title=f"测量{i}{time.time()}", slug=f"measure-{i}-{int(time.time() * 1000)}")
    parent.add_child(instance=page)
    start = time.perf_counter()
    with transaction.atomic():
        page.save_revision().publish()
    print(f"publish {i}: {time.perf_counter() - start:.3f} s")
from search.models import PendingIndexChange

print("pending", PendingIndexChange.objects.count())
