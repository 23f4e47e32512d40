"""An import the database refuses (read-only, full disk) leaves the site unchanged and says why."""

import pytest
from django.core.management import CommandError, call_command
from django.db import connection

from kb.cases.models import CasePage


def read_only(on):
    """Make this connection refuse every write, as a read-only database file or replica does."""
    with connection.cursor() as cursor:
        if connection.vendor == "sqlite":
            cursor.execute(f"PRAGMA query_only = {int(on)}")
        else:
            cursor.execute(f"SET default_transaction_read_only = {'on' if on else 'off'}")


# A real transaction for the read-only switch; after a live-server test flushed the database, the
# migrations' data (locale, page root) is restored first.
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_a_read_only_database_fails_the_import_with_a_message_and_writes_nothing(indexes, write_md):
    path = write_md("case.md", {"type": "case", "title": "只读时导入的案例", "summary": "不应写入。"})
    read_only(True)
    try:
        with pytest.raises(CommandError) as failure:
            call_command("import_content", str(path), "--publish")
    finally:
        read_only(False)
    message = str(failure.value)
    assert message.startswith("Import failed: the database or the disk refused the write")
    assert "read" in message.lower()  # the database's own reason: read-only
    assert "Nothing was written" in message
    assert not CasePage.objects.filter(title="只读时导入的案例").exists()
