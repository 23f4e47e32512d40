"""The groups 编辑, 审核 and 培训师 with their permissions, and the review workflow (see roles.py)."""

from django.db import migrations


def create_roles(apps, schema_editor):
    from kb.editorial.roles import ensure_roles

    ensure_roles(apps)


def remove_roles(apps, schema_editor):
    from kb.editorial.roles import remove_roles

    remove_roles(apps)


class Migration(migrations.Migration):
    dependencies = [
        ("auth", "0012_alter_user_first_name_max_length"),
        ("contenttypes", "0002_remove_content_type_name"),
        ("wagtailcore", "0098_apitoken"),
        ("wagtailadmin", "0006_formstate"),
        ("wagtailimages", "0027_image_description"),
        ("wagtaildocs", "0014_alter_document_file_size"),
        ("vocabularies", "0002_seed_vocabularies"),
        ("core", "0001_initial"),
    ]

    operations = [migrations.RunPython(create_roles, remove_roles)]
