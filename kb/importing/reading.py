"""Reading import files: finding the Markdown files, decoding them, splitting off the front matter."""

from dataclasses import dataclass
from pathlib import Path

import yaml

from .problems import ImportFailed, Problem

FRONT_MATTER_FENCE = "---"


@dataclass
class SourceFile:
    name: str  # how errors and reports name the file
    text: str


def collect_files(paths):
    """Markdown files named by `paths` (files or folders, searched recursively), in a stable order."""
    files, problems = [], []
    for raw in paths:
        path = Path(raw)
        if path.is_dir():
            found = sorted(p for p in path.rglob("*.md") if p.is_file())
            if not found:
                problems.append(Problem(str(path), "", "文件夹中没有 .md 文件。"))
            files.extend(found)
        elif path.is_file():
            files.append(path)
        else:
            problems.append(Problem(str(path), "", "文件或文件夹不存在。"))
    if problems:
        raise ImportFailed(problems)
    return [SourceFile(str(path), path.read_bytes()) for path in dict.fromkeys(files)]


def decode(source):
    if isinstance(source.text, bytes):
        try:
            return source.text.decode("utf-8-sig")
        except UnicodeDecodeError:
            raise ImportFailed([Problem(source.name, "", "文件不是 UTF-8 编码。")]) from None
    return source.text


def parse_front_matter(source):
    """(front matter dict, Markdown body) of one file."""
    text = decode(source).replace("\r\n", "\n")
    lines = text.split("\n")
    if not lines or lines[0].strip() != FRONT_MATTER_FENCE:
        raise ImportFailed([Problem(source.name, "", "文件必须以“---”开头的 YAML 头信息开始。")])
    try:
        end = next(i for i in range(1, len(lines)) if lines[i].strip() == FRONT_MATTER_FENCE)
    except StopIteration:
        raise ImportFailed([Problem(source.name, "", "YAML 头信息缺少结尾的“---”行。")]) from None
    try:
        meta = yaml.safe_load("\n".join(lines[1:end])) or {}
    except yaml.YAMLError as error:
        mark = getattr(error, "problem_mark", None)
        where = f"（第 {mark.line + 2} 行）" if mark else ""
        raise ImportFailed([Problem(source.name, "", f"YAML 头信息格式错误{where}：{error}")]) from None
    if not isinstance(meta, dict):
        raise ImportFailed([Problem(source.name, "", "YAML 头信息必须是“键: 值”的映射。")])
    return meta, "\n".join(lines[end + 1 :])
