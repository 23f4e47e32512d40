"""Write the hostile import files docs/import-limits.md measures, one per kind, into DIR.

    python manage.py make_hostile_files /tmp/hostile
    /usr/bin/time -v python manage.py import_content /tmp/hostile/alias-bomb.md --dry-run

Each file must be refused (or, for `markup-heavy`, accepted) in bounded memory and time.
"""

from pathlib import Path

from django.core.management.base import BaseCommand

ALIAS_BOMB = "\n".join(
    ["type: case", 'a: &a ["x","x","x","x","x","x","x","x","x"]']
    + [
        f"{chr(98 + i)}: &{chr(98 + i)} [*{chr(97 + i)},*{chr(97 + i)},*{chr(97 + i)},*{chr(97 + i)}]"
        for i in range(8)
    ]
    + ["title: *i"]
)


def hostile_files():
    """{file name: content}."""
    case = "type: case\ntitle: 测试案例"
    return {
        "alias-bomb.md": f"---\n{ALIAS_BOMB}\n---\n正文。\n",
        "wrong-types.md": "---\ntype: [case, policy]\ntitle: {a: 1}\nissues: 停车难\n---\n正文。\n",
        "nested-list.md": f"---\n{case}\n---\n" + "".join("  " * depth + "- 项\n" for depth in range(1000)),
        "nested-quote.md": f"---\n{case}\n---\n" + "> " * 10_000 + "引文\n",
        "huge-body.md": f"---\n{case}\n---\n" + "居民议事。" * (3 * 1024 * 1024 // 15),
        "markup-heavy.md": f"---\n{case}\n---\n" + "\n\n".join("[" * 490 for _ in range(20)) + "\n",
        "supersedes-loop-a.md": "---\ntype: policy\ntitle: 甲办法\nslug: loop-a\nsupersedes: [loop-b]\n---\n正文。\n",
        "supersedes-loop-b.md": "---\ntype: policy\ntitle: 乙办法\nslug: loop-b\nsupersedes: [loop-a]\n---\n正文。\n",
    }


class Command(BaseCommand):
    help = "Write hostile import files (alias bomb, wrong types, deep nesting, huge body, loops) into DIR."

    def add_arguments(self, parser):
        parser.add_argument("directory")

    def handle(self, directory, **options):
        target = Path(directory)
        target.mkdir(parents=True, exist_ok=True)
        for name, text in hostile_files().items():
            (target / name).write_text(text, encoding="utf-8")
            self.stdout.write(f"{target / name}: {len(text.encode()):,} bytes")
