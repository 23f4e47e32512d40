"""Moderators (审核) see contributions: their permissions are created here and given to the group
(kb.editorial.roles lists them among its optional ones, so ensure_roles() keeps them)."""

from django.db import migrations


def grant(apps, schema_editor):
    from kb.editorial.roles import MODERATORS, _permission

    Group = apps.get_model("auth", "Group")
    moderators = Group.objects.filter(name=MODERATORS).first()
    if moderators is None:
        return
    for action in ("change", "view"):
        permission = _permission(apps, "contributions", "contribution", f"{action}_contribution", create=True)
        moderators.permissions.add(permission)


class Migration(migrations.Migration):
    dependencies = [
        ("contributions", "0001_initial"),
        ("editorial", "0001_roles"),
    ]

    operations = [migrations.RunPython(grant, migrations.RunPython.noop)]
