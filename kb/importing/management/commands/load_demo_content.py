from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand

from kb.core.page_types import page_model, type_keys
from kb.core.site_structure import ensure_site_structure


class Command(BaseCommand):
    help = (
        "Create the page tree and import the demo content from fixtures/ with the editors' importer, "
        "published. Skipped when the site already has content, so a second run keeps edits."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--force", action="store_true", help="import even if content exists (updates by slug)"
        )
        parser.add_argument(
            "--if-empty",
            action="store_true",
            help="do nothing (no index rebuild either) when the site has content: `make serve` restarts fast",
        )

    def handle(self, *args, force=False, if_empty=False, **options):
        ensure_site_structure()
        has_content = any(page_model(key).objects.exists() for key in type_keys())
        if has_content and if_empty:
            return
        if has_content and not force:
            self.stdout.write("站点已有内容，跳过示例内容导入（--force 可强制按 slug 更新）。")
        else:
            call_command("import_content", str(settings.DEMO_CONTENT_DIR), publish=True, stdout=self.stdout)
        call_command("rebuild_search_index", verbosity=0)
        call_command("update_index", verbosity=0)
        call_command("rebuild_references_index", verbosity=0)
