import datetime

from django.core.management.base import BaseCommand, CommandError

from kb.policies import lifecycle


class Command(BaseCommand):
    help = (
        "Bring the stored validity (时效性) of live policies in step with the day: 尚未生效 before "
        "the effective date, 现行有效 from it, and 已废止/已修订 for policies replaced by a newer one "
        "that has taken effect. Each change is a published revision (search follows). Run daily."
    )

    def add_arguments(self, parser):
        parser.add_argument("--date", help="the day to check against, YYYY-MM-DD (default: today)")
        parser.add_argument("--dry-run", action="store_true", help="list the changes, write nothing")

    def handle(self, *args, date=None, dry_run=False, **options):
        try:
            on = datetime.date.fromisoformat(date) if date else lifecycle.today()
        except ValueError:
            raise CommandError(f"--date must be YYYY-MM-DD, not {date!r}.") from None
        done = lifecycle.update_all(on, dry_run=dry_run)
        for policy, name, reason, source in done:
            why = lifecycle.REASON_TEXT[reason].format(source=source.title if source else "")
            self.stdout.write(f"{'将' if dry_run else '已'}把《{policy.title}》标为“{name}”：{why}")
        summary = f"{on.isoformat()}：{len(done)} 份政策的时效性{'需要' if dry_run else '已'}更新。"
        self.stdout.write(self.style.SUCCESS(summary))
