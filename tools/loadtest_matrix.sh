#!/usr/bin/env bash
# The load test of docs/load-test.md for each database and search backend, as deployed: a fresh
# database with the demo content, `make serve`'s gunicorn with production settings, 40 clients for
# 20 s while an import keeps writing. One JSON line per run is appended to $OUT.
#
#   PG_URL=postgres://postgres@127.0.0.1:55432 tools/loadtest_matrix.sh   # every run below
#   RUNS="sqlite-embedded sqlite-es" tools/loadtest_matrix.sh              # some of them
#
# A run is database-search[-uncached]: sqlite or postgres (needs PG_URL, a server whose databases
# kb_loadtest_* it may drop and create), embedded or es, and -uncached for the page cache off.
#
# Elasticsearch is osmem-server (the tests' in-memory stand-in) on 127.0.0.1:$ES_PORT.
set -euo pipefail
cd "$(dirname "$0")/.."
PY=${PY:-.venv/bin/python}
PORT=${PORT:-8631}
ES_PORT=${ES_PORT:-9231}
CLIENTS=${CLIENTS:-40}
SECONDS_PER_RUN=${SECONDS_PER_RUN:-20}
OUT=${OUT:-/tmp/kb-loadtest.jsonl}
WORK=$(mktemp -d /tmp/kb-loadtest.XXXXXX)
PIDS=()
cleanup() { for pid in "${PIDS[@]:-}"; do kill "$pid" 2>/dev/null || true; done; rm -rf "$WORK"; }
trap cleanup EXIT

export SECRET_KEY=loadtest-only ALLOWED_HOSTS=127.0.0.1 SECURE_SSL_REDIRECT=0 GUNICORN_ACCESS_LOG=0
export DJANGO_SETTINGS_MODULE=kb.settings.production WAGTAILADMIN_BASE_URL=http://127.0.0.1:$PORT
export STATIC_ROOT=$WORK/static MEDIA_ROOT=$WORK/media

start_search() {
  "$PY" -c "
import sys, time
from osmem_server import OsmemServer
server = OsmemServer.start(addr='127.0.0.1:$ES_PORT', japanese=False)
print(server.url, flush=True)
time.sleep(10**7)" >"$WORK/osmem.url" &
  PIDS+=($!)
  for _ in $(seq 60); do test -s "$WORK/osmem.url" && break; sleep 0.5; done
  export ELASTICSEARCH_URL=$(head -1 "$WORK/osmem.url") ELASTICSEARCH_PLAIN_JSON=1
}

run() {  # run LABEL DATABASE_URL SEARCH(embedded|es)
  local label=$1 search=$3
  export DATABASE_URL=$2
  unset ELASTICSEARCH_URL ELASTICSEARCH_PLAIN_JSON
  [ "$search" = es ] && start_search
  "$PY" manage.py migrate --noinput -v0
  "$PY" manage.py collectstatic --noinput -v0
  "$PY" manage.py load_demo_content >/dev/null
  [ "$search" = es ] && "$PY" manage.py rebuild_search_index >/dev/null
  PORT=$PORT .venv/bin/gunicorn --config python:kb.operations.gunicorn_conf >"$WORK/$label.log" 2>&1 &
  local server=$!
  for _ in $(seq 60); do curl -fs "http://127.0.0.1:$PORT/healthz" >/dev/null && break; sleep 0.5; done
  echo "== $label: $(curl -s "http://127.0.0.1:$PORT/healthz")"
  "$PY" tools/loadtest.py --url "http://127.0.0.1:$PORT" --clients "$CLIENTS" --seconds "$SECONDS_PER_RUN" \
    --changing-import fixtures --label "$label" | tee "$WORK/$label.out" || true
  tail -1 "$WORK/$label.out" >>"$OUT"
  echo "   load average: $(cut -d' ' -f1-3 /proc/loadavg)"
  kill "$server"; wait "$server" 2>/dev/null || true
  [ "$search" = es ] && { kill "${PIDS[-1]}"; wait "${PIDS[-1]}" 2>/dev/null || true; }
  return 0
}

for label in ${RUNS:-sqlite-embedded sqlite-es postgres-embedded postgres-es sqlite-embedded-uncached}; do
  # label: database-search[-uncached]; -uncached turns the anonymous page cache off for the run.
  IFS=- read -r database search uncached <<<"$label"
  if [ "$uncached" = uncached ]; then export PAGE_CACHE_SECONDS=0; else unset PAGE_CACHE_SECONDS; fi
  if [ "$database" = sqlite ]; then
    run "$label" "sqlite:///$WORK/$label.sqlite3" "$search"
  elif [ -n "${PG_URL:-}" ]; then
    db=kb_loadtest_${search}_${uncached:-cached}
    "$PY" -c "import psycopg; c = psycopg.connect('$PG_URL/postgres', autocommit=True); c.execute('DROP DATABASE IF EXISTS $db'); c.execute('CREATE DATABASE $db')"
    run "$label" "$PG_URL/$db" "$search"
  else
    echo "== $label: skipped (set PG_URL)"
  fi
done
echo "results: $OUT"
