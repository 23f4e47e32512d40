from django.core.management.base import BaseCommand, CommandError
from django.db import DatabaseError

from kb.core.page_types import type_labels
from kb.importing.problems import ImportFailed
from kb.importing.reading import collect_files
from kb.importing.writing import import_files


class Command(BaseCommand):
    help = (
        "Import pages from Markdown files with YAML front matter (INTERFACES.md §3). "
        "All or nothing: one bad file and nothing is written."
    )

    def add_arguments(self, parser):
        parser.add_argument("paths", nargs="+", metavar="PATH", help="a .md file or a folder of them")
        parser.add_argument("--publish", action="store_true", help="publish the pages (default: drafts)")
        parser.add_argument("--dry-run", action="store_true", help="validate everything, write nothing")
        parser.add_argument(
            "--create-terms",
            action="store_true",
            help="add unknown vocabulary values instead of rejecting them",
        )

    def handle(self, *args, paths, publish, dry_run, create_terms, **options):
        try:
            result = import_files(
                collect_files(paths),
                publish=publish,
                dry_run=dry_run,
                create_terms=create_terms,
                progress=self.progress_bar() if self.stdout.isatty() else None,
            )
        except ImportFailed as failure:
            for problem in failure.problems:
                self.stderr.write(str(problem))
            raise CommandError(f"导入失败：{len(failure.problems)} 个问题，未写入任何内容。") from None
        except (DatabaseError, OSError) as error:
            # A read-only database, a full disk, a lost connection: the one transaction rolled back.
            raise CommandError(
                f"Import failed: the database or the disk refused the write ({error}). "
                "Nothing was written: the site is unchanged. Fix the cause and run the import again."
            ) from None
        verbosity = options["verbosity"]
        if verbosity > 1:
            for plan in result.plans:
                self.stdout.write(f"{plan.action:6} {plan.type_key:9} {plan.slug}  ({plan.file})")
        for vocabulary, name in result.new_terms:
            self.stdout.write(f"新词条 {vocabulary}: {name}")
        for path in result.new_regions:
            self.stdout.write(f"新地区: {path}")
        for warning in result.region_warnings:
            self.stderr.write(self.style.WARNING(f"注意：{warning}"))
        summary = "，".join(
            f"{type_labels()[key]} 新建 {c['create']} 更新 {c['update']}"
            for key, c in result.counts().items()
        )
        if result.unchanged:
            summary += f"，{len(result.unchanged)} 个文件自上次导入后未改动，未产生新修订"
        state = "已发布" if publish else "存为草稿"
        prefix = "[试运行，未写入] " if dry_run else ""
        self.stdout.write(self.style.SUCCESS(f"{prefix}{len(result.plans)} 个文件（{summary}），{state}。"))

    def progress_bar(self):
        """A one-line bar redrawn in place, for a terminal only (logs and pipes get the summary)."""
        width = 30

        def show(done, total):
            filled = width * done // max(total, 1)
            end = "\n" if done >= total else ""
            self.stdout.write(
                f"\r写入 [{'#' * filled}{'.' * (width - filled)}] {done}/{total}{end}", ending=""
            )
            self.stdout.flush()

        return show
