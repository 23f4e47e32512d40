"""The one search entry point behind the JSON API, the HTML page and commands."""

from .indexing import get_backend
from .query import parse_params


def search(params):
    """SearchResults for request parameters; raises query.BadQuery for parameters users can fix."""
    return get_backend().search(parse_params(params))
