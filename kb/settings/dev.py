"""Local development: debug on, dev-safe defaults that production refuses."""

import os

from .base import *  # noqa: F403
from .base import env_flag, env_list

DEBUG = env_flag("DEBUG", default=True)
SECRET_KEY = os.environ.get("SECRET_KEY", "dev-only-insecure-key-do-not-use-in-production")
ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", default=["127.0.0.1", "localhost", "[::1]"])
INSTALLED_APPS = [*INSTALLED_APPS, "benchmarks"]  # noqa: F405  tooling: search_benchmark, search_relevance
EMAIL_BACKEND = "django.core.mail.backends.console.EmailBackend"
