"""Markdown upload in the admin (导入 Markdown): reading the upload, keeping it, checking who may.

The files go through the one importer (`kb.importing`), exactly as with `import_content`:
the preview is a dry run, the confirmation a real run that saves drafts (never publishes) with the
uploading user as the author of the revisions and the owner of new pages. On top of the importer,
the upload adds only what a command line does not need:

- reading `.md` files and `.zip` archives of them, within limits (settings `KB_IMPORT_*`), and
  refusing unsafe archives (too many entries, too large once unpacked, names that climb out of the
  archive, encryption) before anything is parsed;
- page permissions: a user may create a page only where Wagtail lets them add one, and update only
  pages they may edit (and that nobody else has locked);
- keeping the uploaded files on the server between the preview and the confirmation (see
  `stage` and `claim`): the confirmation form carries only a random token, which must belong to the
  same user and session, be unexpired and unused; the files are never sent back by the browser.
"""

import json
import re
import secrets
import shutil
import time
import zipfile
import zlib
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath

from django.conf import settings
from django.template.defaultfilters import filesizeformat
from wagtail.permissions import page_permission_policy

from kb.core.page_types import index_model, page_model, type_labels, vocabulary_label
from kb.vocabularies.models import VOCABULARY_MODELS

from .problems import ImportFailed, Problem
from .reading import SourceFile, parse_front_matter
from .validating import validate_files
from .writing import import_files

ACTION_LABELS = {"create": "新建", "update": "更新"}
SESSION_KEY = "kb_import_uploads"
TOKEN_RE = re.compile(r"\A[A-Za-z0-9_-]{32}\Z")
MANIFEST = "manifest.json"


def limit(name):
    return getattr(settings, name)


# --------------------------------------------------------------------------- who may upload


def can_upload(user):
    """Anyone who may add a page somewhere; each file is then checked against its own section."""
    return page_permission_policy.user_has_permission(user, "add")


def can_create_terms(user):
    """Adding unknown vocabulary terms needs the right to add terms to every vocabulary."""
    return all(
        user.has_perm(f"{model._meta.app_label}.add_{model._meta.model_name}")
        for model in VOCABULARY_MODELS.values()
    )


def permission_problems(plans, user):
    """What this user may not do of what the plans would do, one Problem per file."""
    problems = []
    for plan in plans:
        label = type_labels()[plan.type_key]
        if plan.existing is not None:
            tester = plan.existing.permissions_for_user(user)
            if not tester.can_edit():
                problems.append(
                    Problem(
                        plan.file,
                        "slug",
                        f"网站上已有使用这个 slug 的{label}“{plan.existing.title}”，你没有编辑它的权限。",
                    )
                )
            elif tester.page_locked():
                problems.append(
                    Problem(plan.file, "slug", f"{label}“{plan.existing.title}”已被锁定，暂时不能更新。")
                )
        else:
            parent = index_model(plan.type_key).objects.order_by("path").first()
            allowed = (
                parent.permissions_for_user(user).can_add_subpage()
                if parent is not None
                else user.is_superuser
            )
            if not allowed:
                problems.append(Problem(plan.file, "type", f"你没有新建{label}的权限。"))
    return problems


def run_import(sources, user, *, create_terms=False, dry_run=True):
    """The importer's validation and write (a dry run for the preview), with the user's permissions.

    Never publishes. Raises ImportFailed with every problem, like `import_files`.
    """
    if create_terms and not can_create_terms(user):
        create_terms = False
    plans, _, _ = validate_files(sources, create_terms=create_terms)
    problems = permission_problems(plans, user)
    if problems:
        raise ImportFailed(problems)
    return import_files(sources, publish=False, dry_run=dry_run, create_terms=create_terms, user=user)


def admin_message(message):
    """An importer message worded for the admin, where options are checkboxes, not flags."""
    return message.replace("请加 --create-terms", "请勾选“新增未知词条”")


# --------------------------------------------------------------------------- reading the upload


class UploadRefused(Exception):
    """The upload as a whole is refused before any file is read as Markdown."""

    def __init__(self, messages):
        self.messages = list(messages)
        super().__init__("\n".join(self.messages))


@dataclass
class Upload:
    sources: list  # [SourceFile], bytes
    ignored: list = field(default_factory=list)  # names of archive entries left out


def entry_name(info):
    """An archive entry's name as its author wrote it (zips made on Chinese Windows use GBK)."""
    name = info.filename
    if info.flag_bits & 0x800:  # the name is declared UTF-8
        return name
    raw = name.encode("cp437", errors="replace")
    for encoding in ("utf-8", "gb18030"):
        try:
            return raw.decode(encoding)
        except UnicodeDecodeError:
            continue
    return name


def is_unsafe(name):
    """Names that would climb out of a folder if unpacked: absolute, drive letters, `..`."""
    name = name.replace("\\", "/")
    parts = PurePosixPath(name).parts
    return name.startswith("/") or "\x00" in name or ".." in parts or bool(re.match(r"\A[A-Za-z]:", name))


def is_skipped(name, info):
    parts = name.replace("\\", "/").split("/")
    hidden = any(part.startswith(".") or part == "__MACOSX" for part in parts)
    symlink = (info.external_attr >> 16) & 0o170000 == 0o120000
    return hidden or symlink or not name.lower().endswith(".md")


def read_zip(upload, name):
    """(sources, ignored names) of one uploaded zip, or UploadRefused."""
    max_file = limit("KB_IMPORT_MAX_FILE_SIZE")
    max_total = limit("KB_IMPORT_MAX_UNZIPPED_SIZE")
    try:
        archive = zipfile.ZipFile(upload)
    except (zipfile.BadZipFile, OSError, ValueError, EOFError):
        raise UploadRefused([f"“{name}”不是有效的 zip 压缩包。"]) from None
    with archive:
        infos = archive.infolist()
        if len(infos) > limit("KB_IMPORT_MAX_ZIP_ENTRIES"):
            raise UploadRefused(
                [
                    f"“{name}”中有 {len(infos)} 个条目，超过上限 {limit('KB_IMPORT_MAX_ZIP_ENTRIES')} 个，已拒绝。"
                ]
            )
        names = [(entry_name(info), info) for info in infos]
        unsafe = [entry for entry, _ in names if is_unsafe(entry)]
        if unsafe:
            listed = "、".join(f"“{entry}”" for entry in unsafe[:5])
            raise UploadRefused(
                [f"“{name}”中有不安全的文件名（绝对路径或含“..”）：{listed}。整个压缩包已拒绝。"]
            )
        members, ignored = [], []
        for entry, info in names:
            if info.is_dir():
                continue
            if is_skipped(entry, info):
                ignored.append(f"{name}/{entry}")
                continue
            if info.flag_bits & 0x1:
                raise UploadRefused([f"“{name}”中的“{entry}”有密码保护，无法读取。"])
            if info.file_size > max_file:
                raise UploadRefused(
                    [
                        f"“{name}”中的“{entry}”解压后有 {filesizeformat(info.file_size)}，"
                        f"超过单个文件的上限 {filesizeformat(max_file)}。"
                    ]
                )
            members.append((entry, info))
        if not members:
            raise UploadRefused([f"“{name}”中没有 .md 文件。"])
        if len(members) > limit("KB_IMPORT_MAX_FILES"):
            raise UploadRefused(
                [f"“{name}”中有 {len(members)} 个 .md 文件，超过上限 {limit('KB_IMPORT_MAX_FILES')} 个。"]
            )
        declared = sum(info.file_size for _, info in members)
        if declared > max_total:
            raise UploadRefused(
                [f"“{name}”解压后共 {filesizeformat(declared)}，超过上限 {filesizeformat(max_total)}。"]
            )
        sources, total = [], 0
        for entry, info in sorted(members, key=lambda member: member[0]):
            try:
                with archive.open(info) as handle:
                    # Sizes in the archive may lie: never read more than the limit.
                    data = handle.read(max_file + 1)
            except (zipfile.BadZipFile, zlib.error, EOFError, OSError, NotImplementedError, RuntimeError):
                raise UploadRefused([f"“{name}”中的“{entry}”已损坏或使用了不支持的压缩方式。"]) from None
            total += len(data)
            if len(data) > max_file or total > max_total:
                raise UploadRefused([f"“{name}”解压后超过了大小上限，已拒绝（可能是“压缩炸弹”）。"])
            sources.append(SourceFile(f"{name}/{entry}", data))
    return sources, ignored


def read_uploads(files):
    """The Markdown files of an upload (.md files and .zip archives of them), or UploadRefused."""
    max_upload = limit("KB_IMPORT_MAX_UPLOAD_SIZE")
    max_file = limit("KB_IMPORT_MAX_FILE_SIZE")
    size = sum(file.size or 0 for file in files)
    if size > max_upload:
        raise UploadRefused(
            [f"上传的文件合计 {filesizeformat(size)}，超过上限 {filesizeformat(max_upload)}。请分批上传。"]
        )
    errors, sources, ignored = [], [], []
    for file in files:
        name = file.name or "未命名"
        suffix = Path(name).suffix.lower()
        if suffix == ".md":
            if file.size > max_file:
                errors.append(
                    f"“{name}”有 {filesizeformat(file.size)}，超过单个文件的上限 {filesizeformat(max_file)}。"
                )
            else:
                sources.append(SourceFile(name, file.read()))
        elif suffix == ".zip":
            try:
                found, left_out = read_zip(file, name)
            except UploadRefused as refusal:
                errors.extend(refusal.messages)
            else:
                sources.extend(found)
                ignored.extend(left_out)
        else:
            errors.append(f"“{name}”不是 .md 文件或 .zip 压缩包。")
    if not errors and len(sources) > limit("KB_IMPORT_MAX_FILES"):
        errors.append(
            f"一共 {len(sources)} 个 .md 文件，超过上限 {limit('KB_IMPORT_MAX_FILES')} 个。请分批上传。"
        )
    if not errors and sum(len(source.text) for source in sources) > limit("KB_IMPORT_MAX_UNZIPPED_SIZE"):
        errors.append(f"所有 .md 文件合计超过上限 {filesizeformat(limit('KB_IMPORT_MAX_UNZIPPED_SIZE'))}。")
    if errors:
        raise UploadRefused(errors)
    seen = {}
    for source in sources:  # two uploads of "a.md": name them apart in the report
        count = seen[source.name] = seen.get(source.name, 0) + 1
        if count > 1:
            source.name = f"{source.name}（{count}）"
    return Upload(sources, ignored)


# --------------------------------------------------------------------------- the preview


@dataclass
class Row:
    file: str
    type: str = ""
    slug: str = ""
    title: str = ""
    action: str = ""
    url: str = ""
    problems: list = field(default_factory=list)  # [(field, message)]


def preview_rows(sources, plans=(), problems=()):
    """One row per file: what it will do when it is valid, what it names and its problems if not."""
    by_file = {plan.file: plan for plan in plans}
    rows, index = [], {}
    for source in sources:
        row = Row(file=source.name)
        plan = by_file.get(source.name)
        if plan is not None:
            row.type, row.slug, row.title = type_labels()[plan.type_key], plan.slug, plan.title
            row.action = ACTION_LABELS[plan.action]
        else:
            try:
                meta, _ = parse_front_matter(source)
            except ImportFailed:
                meta = {}
            type_key = meta.get("type")
            row.type = type_labels().get(type_key, "") if isinstance(type_key, str) else ""
            row.slug = str(meta.get("slug") or "")
            row.title = str(meta.get("title") or "")
        rows.append(row)
        index[source.name] = row
    general = []
    for problem in problems:
        message = admin_message(problem.message)
        if problem.file in index:
            index[problem.file].problems.append((problem.field, message))
        else:
            general.append(Problem(problem.file, problem.field, message))
    return rows, general


def result_context(result):
    """What a preview or a result page says about a whole (valid) run."""
    summary = "；".join(
        f"{type_labels()[key]}：新建 {counts['create']}，更新 {counts['update']}"
        for key, counts in result.counts().items()
    )
    return {
        "result": result,
        "summary": summary,
        "new_terms": [f"{vocabulary_label(vocabulary)}“{name}”" for vocabulary, name in result.new_terms],
        "new_regions": list(result.new_regions),
        "region_warnings": list(result.region_warnings),
    }


def result_rows(result):
    """After the import: one row per page, with a link to its edit view (to submit it for review)."""
    from django.urls import reverse

    rows = []
    for plan in result.plans:
        page = page_model(plan.type_key).objects.get(slug=plan.slug)
        rows.append(
            Row(
                file=plan.file,
                type=type_labels()[plan.type_key],
                slug=plan.slug,
                title=plan.title,
                action=ACTION_LABELS[plan.action],
                url=reverse("wagtailadmin_pages:edit", args=[page.pk]),
            )
        )
    return rows


# --------------------------------------------------------------------------- keeping the upload


class StagingExpired(Exception):
    """The token names no upload of this user and session that is still waiting."""


@dataclass
class Staged:
    sources: list
    ignored: list
    create_terms: bool


def staging_root():
    return Path(settings.KB_IMPORT_STAGING_DIR)


def purge_expired(now=None):
    """Delete uploads left waiting longer than KB_IMPORT_STAGING_SECONDS (never confirmed)."""
    root = staging_root()
    if not root.is_dir():
        return
    cutoff = (now or time.time()) - settings.KB_IMPORT_STAGING_SECONDS
    for folder in root.iterdir():
        try:
            if folder.stat().st_mtime < cutoff:
                shutil.rmtree(folder, ignore_errors=True)
        except FileNotFoundError:
            continue


def stage(request, upload, create_terms):
    """Keep the uploaded files on the server until confirmed; the token names them."""
    purge_expired()
    token = secrets.token_urlsafe(24)
    folder = staging_root() / token
    folder.mkdir(parents=True, mode=0o700)
    for number, source in enumerate(upload.sources):
        (folder / f"{number:04d}.md").write_bytes(source.text)
    manifest = {
        "user": request.user.pk,
        "created": time.time(),
        "files": [source.name for source in upload.sources],
        "ignored": upload.ignored,
        "create_terms": bool(create_terms),
    }
    (folder / MANIFEST).write_text(json.dumps(manifest, ensure_ascii=False), encoding="utf-8")
    tokens = [t for t in request.session.get(SESSION_KEY, []) if t != token] + [token]
    request.session[SESSION_KEY] = tokens[-10:]
    return token


def claim(request, token):
    """The upload a token names, taken once: it is deleted from the server whatever happens next.

    Refuses (StagingExpired) a token that is malformed, not issued to this session, of another
    user, expired, or already used (two confirmations of one upload: only the first gets it).
    """
    tokens = request.session.get(SESSION_KEY, [])
    if not isinstance(token, str) or not TOKEN_RE.match(token) or token not in tokens:
        raise StagingExpired
    request.session[SESSION_KEY] = [t for t in tokens if t != token]
    root = staging_root()
    taken = root / f"{token}.taken-{secrets.token_hex(4)}"
    try:
        (root / token).rename(taken)  # atomic: one request only can take it
    except OSError:
        raise StagingExpired from None
    try:
        manifest = json.loads((taken / MANIFEST).read_text(encoding="utf-8"))
        if manifest["user"] != request.user.pk:
            raise StagingExpired
        if time.time() - manifest["created"] > settings.KB_IMPORT_STAGING_SECONDS:
            raise StagingExpired
        sources = [
            SourceFile(name, (taken / f"{number:04d}.md").read_bytes())
            for number, name in enumerate(manifest["files"])
        ]
        return Staged(sources, manifest["ignored"], manifest["create_terms"])
    except (OSError, ValueError, KeyError, TypeError):
        raise StagingExpired from None
    finally:
        shutil.rmtree(taken, ignore_errors=True)
