"""The one search entry point behind the JSON API, the HTML page and commands."""

from . import reading
from .query import parse_params


def search(params):
    """SearchResults for request parameters; raises query.BadQuery for parameters users can fix."""
    return reading.search(parse_params(params))
