"""The one search entry point behind the JSON API, the HTML page and commands."""

from . import indexing
from .query import parse_params


def search(params):
    """SearchResults for request parameters; raises query.BadQuery for parameters users can fix."""
    return indexing.search(parse_params(params))
