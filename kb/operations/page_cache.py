"""A cache of the public pages anonymous readers get, dropped the moment the content changes.

Rendering a page or a search costs 15–200 ms of Python; a crowd of readers asks for the same
pages and searches over and over. An anonymous GET (no session cookie, no credentials)
whose answer is a plain 200 (no cookie set, not private, not streamed, not too big) is kept and
served again, in the worker's own memory (the `pages` cache, see settings).

The key holds the content's generation: the newest page log entry (every publish, unpublish, move,
delete and privacy change writes one, imports too), the newest model log entry (snippets and
vocabularies edited in the admin) and the search index's generation (bumped in the transaction of
every index change), read in one statement per request, plus today's date in the site's time zone (policy validity is
computed as of today). Any change therefore gives new keys in every worker at once; the old entries
age out. `PAGE_CACHE_SECONDS` bounds what the generation cannot see (0 turns the cache off).
"""

import hashlib

from django.conf import settings
from django.core.cache import caches
from django.db import DatabaseError, connection
from django.utils import timezone

CACHE_ALIAS = "pages"
MAX_CACHED_BYTES = 256 * 1024
# Never cached: the admin, forms, health, private documents, handouts (cached per revision apart).
EXCLUDED_PREFIXES = ("/admin/", "/django-admin/", "/healthz", "/contribute", "/documents/", "/_util/")
EXCLUDED_SUFFIXES = ("/pdf/", "/pdf/facilitator/", "/print/facilitator/")
_GENERATION_SQL = (
    "SELECT (SELECT MAX(id) FROM wagtailcore_pagelogentry),"
    " (SELECT MAX(id) FROM wagtailcore_modellogentry),"
    " (SELECT MAX(generation) FROM search_searchindexstate)"
)


def cache_seconds():
    return getattr(settings, "PAGE_CACHE_SECONDS", 0)


def content_generation():
    """What the key of every cached page depends on; None when the database cannot say."""
    try:
        with connection.cursor() as cursor:
            cursor.execute(_GENERATION_SQL)
            row = cursor.fetchone()
    except DatabaseError:
        return None
    return f"{row[0]}.{row[1]}.{row[2]}.{timezone.localdate().isoformat()}"


def is_anonymous(request):
    """No session (so no login, compare tray or password entered) and no credentials.

    A CSRF cookie alone changes nothing on a public page: none of them embeds a token (the forms
    that do, like /contribute/, are excluded and set a cookie, which keeps them out of the cache).
    """
    return settings.SESSION_COOKIE_NAME not in request.COOKIES and "HTTP_AUTHORIZATION" not in request.META


def cacheable_request(request):
    path = request.path
    return (
        request.method == "GET"
        and is_anonymous(request)
        and not path.startswith(EXCLUDED_PREFIXES)
        and not path.endswith(EXCLUDED_SUFFIXES)
    )


def cacheable_response(response):
    cache_control = response.get("Cache-Control", "")
    return (
        response.status_code == 200
        and not response.streaming
        and not response.cookies
        and "private" not in cache_control
        and "no-store" not in cache_control
        and len(response.content) <= MAX_CACHED_BYTES
    )


class AnonymousPageCacheMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        seconds = cache_seconds()
        if not seconds or not cacheable_request(request):
            return self.get_response(request)
        generation = content_generation()
        if generation is None:
            return self.get_response(request)
        cache = caches[CACHE_ALIAS]
        key = (
            "page:"
            + hashlib.sha256(
                f"{generation}|{request.get_host()}|{request.get_full_path()}".encode()
            ).hexdigest()
        )
        cached = cache.get(key)
        if cached is not None:
            cached["X-Page-Cache"] = "hit"
            return cached
        response = self.get_response(request)
        if cacheable_response(response):
            cache.set(key, response, seconds)
            response["X-Page-Cache"] = "miss"
        return response
