"""Measuring tools for the search: the benchmark and the relevance set, with their data.

Tooling, not part of the site: a Django app (so its commands run with the site's models and
settings: `manage.py search_benchmark`, `manage.py search_relevance`) that only the development
and test settings install (kb/settings/dev.py, kb/settings/test.py). Production never loads it,
and nothing in search/ imports it or reads its data at run time.
"""
