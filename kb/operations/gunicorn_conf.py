"""gunicorn settings for `make serve`, from the environment (README: Deployment).

Defaults suit a small machine: one worker per core plus one, four threads each (a worker waits
on the database with the GIL released). Access and error logs are JSON lines on stdout.
"""

import multiprocessing
import os

bind = os.environ.get("GUNICORN_BIND", f"127.0.0.1:{os.environ.get('PORT', '8000')}")
workers = int(
    os.environ.get("GUNICORN_WORKERS") or os.environ.get("WEB_CONCURRENCY") or multiprocessing.cpu_count() + 1
)
threads = int(os.environ.get("GUNICORN_THREADS", "4"))
worker_class = "gthread"
timeout = int(os.environ.get("GUNICORN_TIMEOUT", "60"))  # course PDFs are printed by Chromium
graceful_timeout = 30
keepalive = 5
# Recycle workers now and then, so no slow leak outlives a day of traffic.
max_requests = int(os.environ.get("GUNICORN_MAX_REQUESTS", "2000"))
max_requests_jitter = max_requests // 10
wsgi_app = "kb.wsgi:application"
accesslog = "-" if os.environ.get("GUNICORN_ACCESS_LOG", "1") != "0" else None
errorlog = "-"
logconfig_dict = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"json": {"()": "kb.operations.jsonlog.JsonLinesFormatter"}},
    "handlers": {
        "stdout": {"class": "logging.StreamHandler", "formatter": "json", "stream": "ext://sys.stdout"},
    },
    "root": {"handlers": ["stdout"], "level": "INFO"},
    "loggers": {
        "gunicorn.error": {"handlers": ["stdout"], "level": "INFO", "propagate": False},
        "gunicorn.access": {
            "handlers": ["stdout"],
            "level": "INFO" if accesslog else "CRITICAL",
            "propagate": False,
        },
    },
}
control_socket_disable = True  # one machine runs several instances (tests, load tests)


def post_worker_init(worker):
    """A new worker (started, or recycled after max_requests) warms up before its first request."""
    from kb.operations.warmup import warm_before_serving

    warm_before_serving(worker.log)
