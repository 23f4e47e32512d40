"""The start of a rebuild worker process (search/rebuilding.py), importable before Django is set up.

Workers are spawned, not forked: a fork copies the parent's locks as they are at that moment, and
one held by another thread (the Elasticsearch outbox sender resolving a page URL, say) is held
for ever in the child, which then hangs on its first URL. A spawned worker sets Django up afresh,
on the parent's databases (a test run's or a benchmark's throwaway one, not the settings' own).
"""


def start(database_names):
    import django

    django.setup()
    from django.db import connections

    for alias, name in database_names.items():
        connections[alias].settings_dict["NAME"] = name
