"""Bounds on the query string of every URL, checked before any view reads it.

One client must not tie up a worker with a huge or malformed query string, whatever the view
behind the URL does with it. Views keep their own, tighter rules (the search's 200 characters);
these limits are the floor under every public URL: feeds, API v2, search pages, exports.
In the admin (behind a login, with bulk actions that legitimately repeat `id`) only the text of
its search box (`q`) is bounded.
"""

import re

from django.http import HttpResponseBadRequest, JsonResponse
from django.urls import reverse

MAX_QUERY_STRING_BYTES = 8192  # as sent, percent-encoded: a Chinese character takes 9 bytes
MAX_PARAMETERS = 100  # values in one query string, repeats included
MAX_REPEATS = 30  # values of one parameter (`issue=…&issue=…`): more than any facet holds
MAX_VALUE_LENGTH = 500  # characters of one value
MAX_TERMS = 20  # whitespace-separated words in one value
CONTROL_CHARACTERS = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")


class QueryTooLarge(ValueError):
    """A query string beyond the limits; the message is for users, in Chinese."""


def check_value(name, value):
    if CONTROL_CHARACTERS.search(value):
        raise QueryTooLarge(f"参数 {name} 含有无效字符。")
    if len(value) > MAX_VALUE_LENGTH:
        raise QueryTooLarge(f"参数 {name} 过长：最多 {MAX_VALUE_LENGTH} 个字符。")
    if len(value.split()) > MAX_TERMS:
        raise QueryTooLarge(f"参数 {name} 的词语过多：最多 {MAX_TERMS} 个。")


def check_query(params, raw_length):
    """Raise QueryTooLarge if the query string (a QueryDict) breaks a limit."""
    if raw_length > MAX_QUERY_STRING_BYTES:
        raise QueryTooLarge("查询参数过长，请缩短搜索词或减少筛选条件。")
    values = 0
    for name, items in params.lists():
        values += len(items)
        if len(items) > MAX_REPEATS:
            raise QueryTooLarge(f"参数 {name} 重复次数过多：最多 {MAX_REPEATS} 个值。")
        check_value("名称", name)
        for value in items:
            check_value(name, value)
    if values > MAX_PARAMETERS:
        raise QueryTooLarge(f"查询参数过多：最多 {MAX_PARAMETERS} 个。")


class QueryLimitsMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response
        self._admin_prefix = None

    @property
    def admin_prefix(self):
        if self._admin_prefix is None:
            self._admin_prefix = reverse("wagtailadmin_home")
        return self._admin_prefix

    def __call__(self, request):
        raw = request.META.get("QUERY_STRING", "")
        if raw:
            try:
                if request.path.startswith(self.admin_prefix):
                    for value in request.GET.getlist("q"):
                        check_value("q", value)
                else:
                    check_query(request.GET, len(raw))
            except QueryTooLarge as error:
                return bad_request(request, str(error))
        return self.get_response(request)


def bad_request(request, message):
    """400 in the shape the URL's clients read: JSON under /api/ (API v2's errors carry
    `message`, the site's own `error`), plain text elsewhere."""
    if request.path.startswith("/api/"):
        key = "message" if request.path.startswith("/api/v2/") else "error"
        return JsonResponse({key: message}, status=400, json_dumps_params={"ensure_ascii": False})
    return HttpResponseBadRequest(message, content_type="text/plain; charset=utf-8")
