from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from kb.core.page_types import type_labels
from kb.importing.exporting import export_pages


class Command(BaseCommand):
    help = (
        "Export every page (live ones as published, the others as drafts) and the vocabularies as "
        "Markdown in the import format: `import_content DIR --publish` into an empty site restores them."
    )

    def add_arguments(self, parser):
        parser.add_argument("directory", metavar="DIR", help="an empty or new folder")

    def handle(self, *args, directory, **options):
        path = Path(directory)
        if path.exists() and (not path.is_dir() or any(path.iterdir())):
            raise CommandError(f"{path} exists and is not an empty folder: export into a new or empty one.")
        try:
            path.mkdir(parents=True, exist_ok=True)
            result = export_pages(path)
        except OSError as error:
            raise CommandError(f"Export failed: cannot write to {path} ({error}).") from None
        for file, losses in result.losses:
            self.stderr.write(
                f"{file}：导入格式无法携带{'、'.join(losses)}，未导出（请用数据库与媒体文件备份保留）。"
            )
        if result.newer_drafts:
            self.stderr.write(
                f"{len(result.newer_drafts)} 个已发布页面另有未发布的修改，只导出了已发布的版本："
                + "、".join(result.newer_drafts[:20])
                + ("……" if len(result.newer_drafts) > 20 else "")
            )
        summary = "，".join(f"{type_labels()[key]} {count}" for key, count in result.counts.items())
        self.stdout.write(
            self.style.SUCCESS(
                f"已导出到 {path}：{summary}（其中草稿 {result.drafts} 个），以及 vocabularies.yaml。"
            )
        )
