"""Load test: N concurrent readers against a running `make serve` while an import writes.

    .venv/bin/python tools/loadtest.py --url http://127.0.0.1:8000 --clients 40 --seconds 20 \
        --import-cmd ".venv/bin/python manage.py import_content fixtures --publish"

Each client loops over a mix of public URLs (search with text and facets, the search API,
pages, feeds, API v2) on one keep-alive connection until the time is up. The import command is
started with the clients and restarted whenever it ends, so it writes for the whole run. Prints
throughput, p50/p95/p99 latency and every failure (status >= 400 or a connection error); exits 1
if any request failed. Lives outside the site's code: it only speaks HTTP.
"""

import argparse
import http.client
import json
import random
import shlex
import shutil
import subprocess
import sys
import tempfile
import threading
import time
import urllib.parse
from pathlib import Path

PATHS = [
    "/search/?q=停车",
    "/search/?q=加装电梯&type=case",
    "/search/?issue=停车难&issue=养老服务",
    "/search/?region=四川省&type=case&sort=newest",
    "/api/search/?q=议事会",
    "/api/search/?q=社区&issue=邻里互助&page=1&page_size=20",
    "/api/search/?type=policy&validity=现行有效",
    "/",
    "/cases/",
    "/policies/",
    "/principles/",
    "/courses/",
    "/feeds/latest.rss",
    "/feeds/latest.atom?type=policy",
    "/api/v2/pages/?type=cases.CasePage&fields=*&limit=10",
    "/api/v2/pages/?search=停车",
    "/healthz",
]


def quote(path):
    return urllib.parse.quote(path, safe="/?&=*")


class Client(threading.Thread):
    def __init__(self, host, port, deadline, paths, seed, think):
        super().__init__(daemon=True)
        self.host, self.port, self.deadline, self.paths, self.think = host, port, deadline, paths, think
        self.random = random.Random(seed)
        self.latencies, self.failures, self.cache_hits = [], [], 0

    def run(self):
        connection = http.client.HTTPConnection(self.host, self.port, timeout=30)
        while time.monotonic() < self.deadline:
            path = self.random.choice(self.paths)
            start = time.monotonic()
            try:
                connection.request("GET", path, headers={"Host": self.host})
                response = connection.getresponse()
                response.read()
                status = response.status
                self.cache_hits += response.getheader("X-Page-Cache") == "hit"
                if response.getheader("Connection", "").lower() == "close":
                    connection.close()
            except (OSError, http.client.HTTPException) as error:
                self.failures.append((path, repr(error)))
                connection.close()
                connection = http.client.HTTPConnection(self.host, self.port, timeout=30)
                continue
            self.latencies.append(time.monotonic() - start)
            if status >= 400:
                self.failures.append((path, status))
            if self.think:
                time.sleep(self.random.uniform(0.5, 1.5) * self.think)


def percentile(values, fraction):
    return values[min(len(values) - 1, int(fraction * len(values)))] if values else 0.0


def changed_copy(source, run):
    """The import files of `source` with one sentence added to each body, so every run writes
    (and publishes) a new revision of every page: an unchanged file would be skipped."""
    target = Path(tempfile.mkdtemp(prefix="kb-loadtest-"))
    for path in Path(source).rglob("*.md"):
        copy = target / path.relative_to(source)
        copy.parent.mkdir(parents=True, exist_ok=True)
        copy.write_text(
            path.read_text(encoding="utf-8") + f"\n\n负载测试第 {run} 次导入。\n", encoding="utf-8"
        )
    return target


def run_import(command, stop, runs, changing=None):
    while not stop.is_set():
        folder = changed_copy(changing, len(runs) + 1) if changing else None
        argv = (
            [sys.executable, "manage.py", "import_content", str(folder), "--publish"]
            if folder
            else shlex.split(command)
        )
        result = subprocess.run(argv, capture_output=True, text=True)
        if folder:
            shutil.rmtree(folder, ignore_errors=True)
        runs.append(result.returncode)
        if result.returncode:
            print("import failed:", result.stderr[-2000:], file=sys.stderr)
            stop.wait(1)


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--url", default="http://127.0.0.1:8000")
    parser.add_argument("--clients", type=int, default=40)
    parser.add_argument("--seconds", type=float, default=20)
    parser.add_argument(
        "--think", type=float, default=0, help="mean pause between a client's requests, in seconds (0: none)"
    )
    parser.add_argument("--import-cmd", default="", help="command to keep running while reading")
    parser.add_argument(
        "--changing-import",
        metavar="DIR",
        default="",
        help="keep importing DIR's files (e.g. fixtures) with --publish, each run changing every body",
    )
    parser.add_argument("--label", default="", help="a name for this run in the JSON line printed last")
    args = parser.parse_args()
    target = urllib.parse.urlsplit(args.url)
    paths = [quote(path) for path in PATHS]

    stop, runs = threading.Event(), []
    importer = None
    if args.import_cmd or args.changing_import:
        importer = threading.Thread(
            target=run_import, args=(args.import_cmd, stop, runs, args.changing_import or None), daemon=True
        )
        importer.start()
    deadline = time.monotonic() + args.seconds
    clients = [
        Client(target.hostname, target.port or 80, deadline, paths, seed, args.think)
        for seed in range(args.clients)
    ]
    started = time.monotonic()
    for client in clients:
        client.start()
    for client in clients:
        client.join()
    elapsed = time.monotonic() - started
    stop.set()
    if importer:
        importer.join()

    latencies = sorted(latency for client in clients for latency in client.latencies)
    failures = [failure for client in clients for failure in client.failures]
    summary = {
        "label": args.label,
        "clients": args.clients,
        "think_s": args.think,
        "seconds": round(elapsed, 1),
        "requests": len(latencies),
        "throughput_rps": round(len(latencies) / elapsed, 1),
        "p50_ms": round(percentile(latencies, 0.50) * 1000),
        "p95_ms": round(percentile(latencies, 0.95) * 1000),
        "p99_ms": round(percentile(latencies, 0.99) * 1000),
        "failed": len(failures),
        "page_cache_hits": sum(client.cache_hits for client in clients),
        "imports_completed": sum(1 for code in runs if code == 0),
        "imports_failed": sum(1 for code in runs if code),
    }
    for path, reason in failures[:20]:
        print("failed:", urllib.parse.unquote(path), reason, file=sys.stderr)
    print(json.dumps(summary, ensure_ascii=False))
    return 1 if failures or summary["imports_failed"] else 0


if __name__ == "__main__":
    sys.exit(main())
