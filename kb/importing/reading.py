"""Reading import files: finding the Markdown files, decoding them, splitting off the front matter."""

from dataclasses import dataclass
from pathlib import Path

from kb.core.markdown import max_body_bytes

from .front_matter import FrontMatterError, load_front_matter, max_front_matter_bytes
from .problems import ImportFailed, Problem

FRONT_MATTER_FENCE = "---"
# A folder's vocabularies (kb.importing.vocabulary_file): read with the folder's Markdown files.
VOCABULARY_FILE = "vocabularies.yaml"
TOO_LARGE = "文件过大，超过头信息与正文的上限之和。"


def max_file_bytes():
    """The largest file worth reading: front matter and body at their limits."""
    return max_front_matter_bytes() + max_body_bytes()


@dataclass
class SourceFile:
    name: str  # how errors and reports name the file
    text: str
    kind: str = "page"  # or "vocabulary": a folder's vocabularies.yaml


def collect_files(paths):
    """Markdown files named by `paths` (files or folders, searched recursively), in a stable order."""
    files, vocabularies, problems = [], [], []
    for raw in paths:
        path = Path(raw)
        if path.is_dir():
            found = sorted(p for p in path.rglob("*.md") if p.is_file())
            if not found:
                problems.append(Problem(str(path), "", "文件夹中没有 .md 文件。"))
            files.extend(found)
            if (path / VOCABULARY_FILE).is_file():
                vocabularies.append(path / VOCABULARY_FILE)
        elif path.is_file():
            if path.stat().st_size > max_file_bytes():
                problems.append(Problem(str(path), "", TOO_LARGE))
            files.append(path)
        else:
            problems.append(Problem(str(path), "", "文件或文件夹不存在。"))
    if problems:
        raise ImportFailed(problems)
    return [
        SourceFile(str(path), path.read_bytes(), "vocabulary") for path in dict.fromkeys(vocabularies)
    ] + [SourceFile(str(path), path.read_bytes()) for path in dict.fromkeys(files)]


def decode(source):
    if isinstance(source.text, bytes):
        try:
            return source.text.decode("utf-8-sig")
        except UnicodeDecodeError:
            raise ImportFailed([Problem(source.name, "", "文件不是 UTF-8 编码。")]) from None
    return source.text


def parse_front_matter(source):
    """(front matter dict, Markdown body) of one file; the front matter read by the safe loader."""
    if len(source.text) > 4 * max_file_bytes():  # ×4: a str's characters may be up to 4 bytes each
        raise ImportFailed([Problem(source.name, "", TOO_LARGE)])
    text = decode(source).replace("\r\n", "\n")
    lines = text.split("\n")
    if not lines or lines[0].strip() != FRONT_MATTER_FENCE:
        raise ImportFailed([Problem(source.name, "", "文件必须以“---”开头的 YAML 头信息开始。")])
    try:
        end = next(i for i in range(1, len(lines)) if lines[i].strip() == FRONT_MATTER_FENCE)
    except StopIteration:
        raise ImportFailed([Problem(source.name, "", "YAML 头信息缺少结尾的“---”行。")]) from None
    try:
        meta = load_front_matter("\n".join(lines[1:end]))
    except FrontMatterError as error:
        raise ImportFailed([Problem(source.name, "", str(error))]) from None
    return meta, "\n".join(lines[end + 1 :])
