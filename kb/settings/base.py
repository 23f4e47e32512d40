"""Settings shared by every environment. Values that differ per machine come from the environment."""

import os
import sys
from pathlib import Path

import dj_database_url

BASE_DIR = Path(__file__).resolve().parent.parent.parent
VAR_DIR = BASE_DIR / "var"


def env_flag(name, default=False):
    value = os.environ.get(name)
    if value is None:
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def env_list(name, default=()):
    value = os.environ.get(name)
    if value is None:
        return list(default)
    return [item.strip() for item in value.split(",") if item.strip()]


INSTALLED_APPS = [
    "kb.core",
    "kb.importing",
    "kb.vocabularies",
    "kb.principles",
    "kb.policies",
    "kb.courses",
    "kb.cases",
    "kb.editorial",
    "kb.contributions",
    "search",
    "kb.syndication",
    "kb.operations",
    "kb.citations",
    "kb.compare",
    "wagtail.contrib.redirects",
    "wagtail.contrib.sitemaps",
    "wagtail.contrib.routable_page",
    "django.contrib.sitemaps",
    "wagtail.api.v2",
    "rest_framework",
    "wagtail.contrib.settings",
    "wagtail.embeds",
    "wagtail.sites",
    "wagtail.users",
    "wagtail.snippets",
    "wagtail.documents",
    "wagtail.images",
    "wagtail.search",
    "wagtail.admin",
    "wagtail",
    "modelcluster",
    "taggit",
    "django_filters",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    # Before anything reads the query string: oversized or malformed parameters answer 400.
    "kb.operations.limits.QueryLimitsMiddleware",
    # Anonymous readers get a page rendered once per change of the content (kb.operations.page_cache).
    "kb.operations.page_cache.AnonymousPageCacheMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "wagtail.contrib.redirects.middleware.RedirectMiddleware",
]

# The anonymous page cache: each worker keeps up to PAGE_CACHE_ENTRIES pages in its own memory,
# for PAGE_CACHE_SECONDS at most (0: off), and drops them the moment the content changes.
PAGE_CACHE_SECONDS = int(os.environ.get("PAGE_CACHE_SECONDS", "300"))
CACHES = {
    "default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"},
    "pages": {
        "BACKEND": "django.core.cache.backends.locmem.LocMemCache",
        "LOCATION": "kb-pages",
        "OPTIONS": {"MAX_ENTRIES": int(os.environ.get("PAGE_CACHE_ENTRIES", "500"))},
    },
}

ROOT_URLCONF = "kb.urls"
WSGI_APPLICATION = "kb.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.debug",
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "wagtail.contrib.settings.context_processors.settings",
                "kb.core.context_processors.site_sections",
            ],
        },
    },
]

# SQLite: the current release bundled by pysqlite3-binary when it is installed (pyproject.toml), else
# Python's own. Debian 12's SQLite (3.40) cannot delete from a full-text table that keeps no copy of
# its rows (FTS5 contentless_delete, 3.43), which saves a third of the database file and time in
# every rebuild (search/backends/database.py, README "Search"). Swapped before Django loads its
# SQLite backend, so every connection of the process uses the one library (two copies of SQLite
# in one process must never open the same file).
try:
    import pysqlite3
except ImportError:
    pass
else:
    sys.modules["sqlite3"] = pysqlite3
    sys.modules["sqlite3.dbapi2"] = pysqlite3.dbapi2

# SQLite under var/ unless DATABASE_URL names another database (PostgreSQL, for one).
if not os.environ.get("DATABASE_URL"):
    VAR_DIR.mkdir(parents=True, exist_ok=True)
DATABASES = {
    "default": dj_database_url.config(
        default=f"sqlite:///{VAR_DIR / 'kb.sqlite3'}",
        conn_max_age=int(os.environ.get("DATABASE_CONN_MAX_AGE", "0")),
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # Readers never block the writer (WAL); a write waits for another write instead of failing
    # with "database is locked": IMMEDIATE takes the write lock when a transaction starts, so the
    # busy timeout applies (a deferred transaction that upgrades to a write fails at once).
    DATABASES["default"].setdefault("OPTIONS", {}).update(
        init_command="PRAGMA journal_mode=WAL;",
        transaction_mode="IMMEDIATE",
        timeout=int(os.environ.get("SQLITE_BUSY_TIMEOUT", "30")),
    )
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

LANGUAGE_CODE = "zh-hans"
LANGUAGES = [("zh-hans", "简体中文")]
# Chinese for the admin strings Wagtail's own zh_Hans catalogue leaves in English (locale/).
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = "Asia/Shanghai"
USE_I18N = True
USE_TZ = True

STATICFILES_DIRS = [BASE_DIR / "static"]
STATIC_ROOT = Path(os.environ.get("STATIC_ROOT", VAR_DIR / "static"))
STATIC_URL = "/static/"
MEDIA_ROOT = Path(os.environ.get("MEDIA_ROOT", VAR_DIR / "media"))
MEDIA_URL = "/media/"

DATA_UPLOAD_MAX_NUMBER_FIELDS = 10_000

WAGTAIL_SITE_NAME = "社区营造知识库"
WAGTAILADMIN_BASE_URL = os.environ.get("WAGTAILADMIN_BASE_URL", "http://127.0.0.1:8000")
WAGTAIL_I18N_ENABLED = False
WAGTAILADMIN_PERMITTED_LANGUAGES = [("zh-hans", "简体中文"), ("en", "English")]
WAGTAIL_ALLOW_UNICODE_SLUGS = True
# Autosave posts the edit form in the background; racing an approval it could save an older copy
# over the publish (the page's history said 已发布 while the page was not live). Editors save by hand.
WAGTAIL_AUTOSAVE_INTERVAL = 0
# No Gravatar: the site may run without internet access, and a broken avatar image is worse than
# Wagtail's default one.
WAGTAIL_GRAVATAR_PROVIDER_URL = None
# Wagtail's login form leaves its password field unlabelled ("Password" in English): ours labels it.
WAGTAILADMIN_USER_LOGIN_FORM = "kb.editorial.forms.LoginForm"
WAGTAILDOCS_EXTENSIONS = ["pdf", "doc", "docx", "odt", "rtf", "txt", "xls", "xlsx", "csv", "zip"]
WAGTAILDOCS_MAX_UPLOAD_SIZE = 20 * 1024 * 1024
WAGTAILIMAGES_MAX_UPLOAD_SIZE = 10 * 1024 * 1024
WAGTAILIMAGES_MAX_IMAGE_PIXELS = 64_000_000
# Upload checks beyond Wagtail's own (kb/core/media.py): a document's content must match its
# extension; an image's size in pixels is checked before it is decoded, a damaged one is refused.
WAGTAILDOCS_DOCUMENT_FORM_BASE = "kb.core.media.DocumentForm"
WAGTAILIMAGES_IMAGE_FORM_BASE = "kb.core.media.ImageForm"

# Markdown upload in the admin (导入 Markdown, kb/importing/upload.py): limits per upload.
KB_IMPORT_MAX_FILES = 300  # .md files in one upload, zips included
# Every import (command, upload, contribution form): front matter and Markdown body, checked before
# they are parsed or rendered (kb/importing/front_matter.py, kb/core/markdown.py; docs/import-limits.md).
KB_IMPORT_MAX_FRONT_MATTER_BYTES = int(os.environ.get("KB_IMPORT_MAX_FRONT_MATTER_BYTES", 64 * 1024))
KB_IMPORT_MAX_BODY_BYTES = int(os.environ.get("KB_IMPORT_MAX_BODY_BYTES", 2 * 1024 * 1024))
KB_IMPORT_MAX_FILE_SIZE = KB_IMPORT_MAX_FRONT_MATTER_BYTES + KB_IMPORT_MAX_BODY_BYTES  # one .md file
KB_IMPORT_MAX_UPLOAD_SIZE = 20 * 1024 * 1024  # everything uploaded at once, as sent
KB_IMPORT_MAX_UNZIPPED_SIZE = 50 * 1024 * 1024  # all .md files together after unzipping
KB_IMPORT_MAX_ZIP_ENTRIES = 2000  # entries of one zip, folders and ignored files included
# Uploaded files wait here between the preview and the editor's confirmation, then are deleted.
KB_IMPORT_STAGING_DIR = Path(os.environ.get("KB_IMPORT_STAGING_DIR", VAR_DIR / "import-staging"))
KB_IMPORT_STAGING_SECONDS = 3600
# Course handout PDFs (kb/courses/pdf.py): where printed PDFs are kept (not under MEDIA_ROOT, which
# is served to anyone: facilitator PDFs hold instructor notes) and how many Chromiums may print at once
# across all threads and worker processes; beyond that the PDF URL answers 503 with the print view.
COURSE_PDF_CACHE_DIR = Path(os.environ.get("COURSE_PDF_CACHE_DIR", VAR_DIR / "course-pdf"))
COURSE_PDF_CONCURRENCY = int(os.environ.get("COURSE_PDF_CONCURRENCY", "2"))

# Public case contributions (/contribute/, kb/contributions): limits of one submission and the rate
# limit per client address (accepted submissions per window; all tries may be ATTEMPTS_FACTOR times as
# many). Behind a reverse proxy, KB_TRUSTED_PROXY_COUNT says how many proxies add X-Forwarded-For.
KB_CONTRIBUTION_RATE = os.environ.get("KB_CONTRIBUTION_RATE", "5/hour")
KB_CONTRIBUTION_ATTEMPTS_FACTOR = 4
KB_TRUSTED_PROXY_COUNT = int(os.environ.get("KB_TRUSTED_PROXY_COUNT", "0"))
KB_CONTRIBUTION_MAX_IMAGES = 5
KB_CONTRIBUTION_MAX_TEXT_BYTES = 2 * 1024 * 1024  # every text field together, UTF-8
KB_CONTRIBUTION_SECTION_MAX_CHARS = 20_000  # each of the six sections
KB_CONTRIBUTION_LICENCE = os.environ.get(
    "KB_CONTRIBUTION_LICENCE", "知识共享 署名 4.0 国际许可协议（CC BY 4.0）"
)
KB_CONTRIBUTION_LICENCE_URL = os.environ.get(
    "KB_CONTRIBUTION_LICENCE_URL", "https://creativecommons.org/licenses/by/4.0/deed.zh-hans"
)

# Search: the embedded database backend unless an Elasticsearch cluster is configured.
ELASTICSEARCH_URL = os.environ.get("ELASTICSEARCH_URL", "").strip()
ELASTICSEARCH_INDEX = os.environ.get("ELASTICSEARCH_INDEX", "kb").strip() or "kb"
ELASTICSEARCH_PLAIN_JSON = env_flag("ELASTICSEARCH_PLAIN_JSON")
# Seconds: connecting; answering a search or a check (beyond it, the database answers); answering a
# write (only sent outside requests: the background sender, sync_search_index, rebuilds).
ELASTICSEARCH_CONNECT_TIMEOUT = float(os.environ.get("ELASTICSEARCH_CONNECT_TIMEOUT", "0.5"))
ELASTICSEARCH_TIMEOUT = float(os.environ.get("ELASTICSEARCH_TIMEOUT", "2"))
ELASTICSEARCH_WRITE_TIMEOUT = float(os.environ.get("ELASTICSEARCH_WRITE_TIMEOUT", "30"))
# After a failure or a failed consistency check, searches go to the database for this long; the
# cluster is checked again (reachable, right generation, right count) when it is over.
ELASTICSEARCH_RETRY_SECONDS = float(os.environ.get("ELASTICSEARCH_RETRY_SECONDS", "30"))
# How the outbox reaches the cluster after a commit: "background" (a thread of the process, never
# the request) or "inline" (in the committing thread, right after commit: tests and one-off scripts).
SEARCH_OUTBOX_SENDER = os.environ.get("SEARCH_OUTBOX_SENDER", "background")
# A rebuild of at least this many pages builds its documents on one worker process per core.
SEARCH_REBUILD_WORKERS_FROM = int(os.environ.get("SEARCH_REBUILD_WORKERS_FROM", "2000"))
# Whole ranked orders of searches each process keeps (search/backends/rankings.py; 16 bytes a
# match: 1.6 MB for a word found in 100,000 pages); 0 keeps none.
SEARCH_KEPT_RANKINGS = int(os.environ.get("SEARCH_KEPT_RANKINGS", "32"))
# An import with this many files to render uses worker processes for Markdown and search analysis.
IMPORT_WORKERS_FROM = int(os.environ.get("IMPORT_WORKERS_FROM", "1000"))
# Wagtail's own index (the admin's page, chooser, snippet, image and document searches, drafts
# included): Wagtail's database backend, with Chinese queries matched word by word.
WAGTAILSEARCH_BACKENDS = {"default": {"BACKEND": "search.wagtail_backend"}}

# Where the demo content lives; `load_demo_content` imports it with the editors' importer.
DEMO_CONTENT_DIR = BASE_DIR / "fixtures"

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": os.environ.get("LOG_LEVEL", "WARNING")},
}
