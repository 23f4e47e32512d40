"""导入 Markdown: upload files in the import format, check the preview, confirm.

Step 1 (GET/POST /admin/import/): the editor uploads .md files or a .zip of them. Everything is
validated by a dry run of the importer; the preview lists each file (type, slug, title, 新建/更新)
with its problems. Nothing is written. When every file is valid the files stay on the server
(kb.importing.upload.stage) and the page offers to confirm.
Step 2 (POST /admin/import/confirm/): the token in the form names the kept upload; it is validated
and imported again (the site may have changed meanwhile), as drafts. The result lists the pages
with links to their edit views, where the editor submits them for review.
"""

from django import forms
from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.shortcuts import redirect
from django.template.defaultfilters import filesizeformat
from django.template.response import TemplateResponse
from django.views.decorators.http import require_http_methods, require_POST

from . import upload as uploads
from .problems import ImportFailed

HEADER_ICON = "upload"
MAX_IGNORED_SHOWN = 20


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class MultipleFileField(forms.FileField):
    widget = MultipleFileInput

    def clean(self, data, initial=None):
        files = data if isinstance(data, (list, tuple)) else [data] if data else []
        cleaned = [super(MultipleFileField, self).clean(file, initial) for file in files]
        if not cleaned and self.required:
            raise forms.ValidationError(self.error_messages["required"], code="required")
        return cleaned


class UploadForm(forms.Form):
    files = MultipleFileField(
        label="Markdown 文件或 zip 压缩包",
        widget=MultipleFileInput(attrs={"accept": ".md,.zip"}),
        error_messages={"required": "请选择要上传的文件。"},
    )
    create_terms = forms.BooleanField(
        label="新增未知词条",
        required=False,
        help_text="文件中出现词表里没有的议题、治理主体等时，把它们加入词表，而不是报错。",
    )

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["files"].help_text = (
            f"可一次选多个 .md 文件（最多 100 个），或一个包含它们的 .zip（可有子文件夹，"
            f"其中非 .md 文件会被忽略）。每个文件最多 {filesizeformat(uploads.limit('KB_IMPORT_MAX_FILE_SIZE'))}，"
            f"一次最多 {uploads.limit('KB_IMPORT_MAX_FILES')} 个文件。"
        )
        if not uploads.can_create_terms(user):
            del self.fields["create_terms"]


class ConfirmForm(forms.Form):
    token = forms.CharField(max_length=64, widget=forms.HiddenInput)


def check_access(request):
    if not uploads.can_upload(request.user):
        raise PermissionDenied  # Wagtail's admin answers with a redirect and a message


def render(request, template, status=200, **context):
    context.setdefault("page_title", "导入 Markdown")
    context.setdefault("header_icon", HEADER_ICON)
    return TemplateResponse(request, f"importing/admin/{template}", context, status=status)


@require_http_methods(["GET", "POST"])
def upload_view(request):
    check_access(request)
    if request.method == "GET":
        return render(request, "import_upload.html", form=UploadForm(user=request.user))

    form = UploadForm(request.POST, request.FILES, user=request.user)
    if not form.is_valid():
        return render(request, "import_upload.html", form=form)
    try:
        upload = uploads.read_uploads(form.cleaned_data["files"])
    except uploads.UploadRefused as refusal:
        for message in refusal.messages:
            form.add_error("files", message)
        return render(request, "import_upload.html", form=form)

    create_terms = form.cleaned_data.get("create_terms", False)
    try:
        result = uploads.run_import(upload.sources, request.user, create_terms=create_terms, dry_run=True)
    except ImportFailed as failure:
        return render_problems(
            request,
            upload.sources,
            failure,
            ignored=upload.ignored[:MAX_IGNORED_SHOWN],
            ignored_count=len(upload.ignored),
        )
    rows, _ = uploads.preview_rows(upload.sources, plans=result.plans)
    token = uploads.stage(request, upload, create_terms)
    return render(
        request,
        "import_preview.html",
        rows=rows,
        ignored=upload.ignored[:MAX_IGNORED_SHOWN],
        ignored_count=len(upload.ignored),
        confirm_form=ConfirmForm(initial={"token": token}),
        **uploads.result_context(result),
    )


def render_problems(request, sources, failure, **context):
    """The preview with every problem listed, and the upload form to try again."""
    rows, general = uploads.preview_rows(sources, problems=failure.problems)
    return render(
        request,
        "import_preview.html",
        rows=rows,
        general=general,
        problem_count=len(failure.problems),
        form=UploadForm(user=request.user),
        **context,
    )


@require_POST
def confirm_view(request):
    check_access(request)
    form = ConfirmForm(request.POST)
    try:
        if not form.is_valid():
            raise uploads.StagingExpired
        staged = uploads.claim(request, form.cleaned_data["token"])
    except uploads.StagingExpired:
        messages.error(
            request, "这次上传已失效（已导入、已取消、超过一小时或不属于你），未写入任何内容。请重新上传。"
        )
        return redirect("kb_import")
    if "cancel" in request.POST:
        messages.info(request, "已取消导入，未写入任何内容。")
        return redirect("kb_import")
    try:
        result = uploads.run_import(
            staged.sources, request.user, create_terms=staged.create_terms, dry_run=False
        )
    except ImportFailed as failure:
        # The site changed since the preview (a page was added, a permission removed …).
        return render_problems(request, staged.sources, failure, at_confirm=True)
    return render(
        request,
        "import_result.html",
        rows=uploads.result_rows(result),
        **uploads.result_context(result),
    )
