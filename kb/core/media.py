"""Checks on uploaded documents and images, beyond what Wagtail enforces itself.

Wagtail already refuses a document whose extension is not in WAGTAILDOCS_EXTENSIONS or which is
larger than WAGTAILDOCS_MAX_UPLOAD_SIZE, and an image that is not in an allowed format, whose
content does not match its extension, or which is over WAGTAILIMAGES_MAX_UPLOAD_SIZE or
WAGTAILIMAGES_MAX_IMAGE_PIXELS. These form bases (WAGTAILDOCS_DOCUMENT_FORM_BASE,
WAGTAILIMAGES_IMAGE_FORM_BASE) add, in every admin view that takes a file (add, multiple upload,
replacing the file of an existing one):

- documents: the content must be what the extension says (a PDF must be a PDF, a .docx a Word
  file, a .txt text, …);
- images: the number of pixels is read from the header and checked *before* the image is decoded
  (Wagtail decodes the whole image first, so a small file claiming 150 million pixels would take
  gigabytes of memory before being refused); a damaged or truncated image is refused with a
  message instead of failing with a server error; and the messages Wagtail has no Chinese for are
  given in Chinese.
"""

import warnings
import zipfile

from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import UploadedFile
from PIL import Image as PILImage
from wagtail.documents.forms import BaseDocumentForm
from wagtail.images.fields import WagtailImageField
from wagtail.images.forms import BaseImageForm

HEAD_BYTES = 8192

OLE2 = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"  # the container of old Word and Excel files
ZIP = b"PK\x03\x04"
# What a file looks like, from its first bytes, for the refusal message.
SIGNATURES = [
    (b"%PDF-", "PDF 文档"),
    (OLE2, "旧版 Office 文档（.doc/.xls）"),
    (ZIP, "zip 压缩包或新版 Office 文档"),
    (b"{\\rtf", "RTF 文档"),
    (b"\x89PNG", "PNG 图片"),
    (b"\xff\xd8\xff", "JPEG 图片"),
    (b"GIF8", "GIF 图片"),
    (b"MZ", "Windows 可执行程序"),
    (b"\x7fELF", "Linux 可执行程序"),
    (b"Rar!", "RAR 压缩包"),
    (b"7z\xbc\xaf", "7z 压缩包"),
]
ODF_MIMETYPES = {
    "odt": "application/vnd.oasis.opendocument.text",
    "ods": "application/vnd.oasis.opendocument.spreadsheet",
    "odp": "application/vnd.oasis.opendocument.presentation",
}
OOXML_PARTS = {"docx": "word/", "xlsx": "xl/", "pptx": "ppt/"}
LABELS = {
    "pdf": "PDF 文档",
    "doc": "Word 文档",
    "docx": "Word 文档",
    "xls": "Excel 表格",
    "xlsx": "Excel 表格",
    "ppt": "PowerPoint 演示文稿",
    "pptx": "PowerPoint 演示文稿",
    "odt": "OpenDocument 文本",
    "ods": "OpenDocument 表格",
    "odp": "OpenDocument 演示文稿",
    "rtf": "RTF 文档",
    "txt": "纯文本文件",
    "csv": "CSV 表格",
    "zip": "zip 压缩包",
}


def looks_like(head):
    for signature, label in SIGNATURES:
        if head.startswith(signature):
            return label
    if head.lstrip().lower().startswith((b"<!doctype html", b"<html", b"<svg", b"<?xml")):
        return "HTML/XML 文件"
    return None


def is_text(head):
    if head.startswith((b"\xff\xfe", b"\xfe\xff")):  # UTF-16, as Excel writes "Unicode text"
        return True
    return b"\x00" not in head and looks_like(head) is None


def zip_matches(file, extension):
    """Whether the file is a zip, and for Office formats the right kind of Office file."""
    try:
        with zipfile.ZipFile(file) as archive:
            names = archive.namelist()
            if extension in OOXML_PARTS:
                return "[Content_Types].xml" in names and any(
                    name.startswith(OOXML_PARTS[extension]) for name in names
                )
            if extension in ODF_MIMETYPES:
                if "mimetype" not in names:
                    return False
                with archive.open("mimetype") as entry:
                    return entry.read(100).strip() == ODF_MIMETYPES[extension].encode()
            return True
    except (zipfile.BadZipFile, OSError, ValueError, RuntimeError, NotImplementedError):
        return False


def content_matches(file, extension):
    """Whether an uploaded file's content is what its extension says. Unknown extensions pass."""
    file.seek(0)
    head = file.read(HEAD_BYTES)
    file.seek(0)
    try:
        if extension == "pdf":
            return b"%PDF-" in head[:1024]  # the header may follow a few bytes of junk
        if extension in ("doc", "xls", "ppt"):
            return head.startswith(OLE2)
        if extension in OOXML_PARTS or extension in ODF_MIMETYPES or extension == "zip":
            return head.startswith(ZIP) and zip_matches(file, extension)
        if extension == "rtf":
            return head.startswith(b"{\\rtf")
        if extension in ("txt", "csv"):
            return is_text(head)
        return True
    finally:
        file.seek(0)


class DocumentForm(BaseDocumentForm):
    def clean_file(self):
        file = self.cleaned_data.get("file")
        if not isinstance(file, UploadedFile):  # unchanged on an edit
            return file
        extension = file.name.rsplit(".", 1)[-1].lower() if "." in file.name else ""
        if not content_matches(file, extension):
            file.seek(0)
            seen = looks_like(file.read(HEAD_BYTES))
            file.seek(0)
            expected = LABELS.get(extension, f".{extension} 文件")
            actually = f"，看起来是{seen}" if seen else ""
            raise ValidationError(
                f"文件内容与扩展名不符：“{file.name}”不是有效的{expected}{actually}。"
                "请上传原始文件，不要只改扩展名。",
                code="content_mismatch",
            )
        return file


class CheckedImageField(WagtailImageField):
    """Wagtail's image field, with the pixel count checked before decoding and Chinese messages."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.error_messages["invalid_image_known_format"] = (
            "不是有效的 .%(extension)s 图片：扩展名与文件的实际格式（%(image_format)s）不符。"
        )
        self.error_messages["file_too_many_pixels"] = (
            "图片像素过多（%(num_pixels)s），上限为 %(max_pixels_count)s 像素。请缩小后再上传。"
        )
        self.error_messages["image_damaged"] = "图片文件已损坏或不完整，无法读取。请重新导出后再上传。"

    def too_many_pixels(self, pixels):
        return ValidationError(
            self.error_messages["file_too_many_pixels"]
            % {
                "num_pixels": pixels if isinstance(pixels, str) else f"{pixels:,}",
                "max_pixels_count": f"{self.max_image_pixels:,}",
            },
            code="file_too_many_pixels",
        )

    def check_header_pixels(self, data):
        """Read only the header: refuse an image with too many pixels before anything decodes it."""
        if self.max_image_pixels is None or not hasattr(data, "seek"):
            return
        data.seek(0)
        try:
            with warnings.catch_warnings():
                warnings.simplefilter("ignore", PILImage.DecompressionBombWarning)  # counted below
                with PILImage.open(data) as image:  # lazy: reads the header only
                    width, height = image.size
        except PILImage.DecompressionBombError:  # over twice Pillow's own limit
            raise self.too_many_pixels(f"超过 {2 * (PILImage.MAX_IMAGE_PIXELS or 0):,}") from None
        except Exception:  # not an image Pillow reads: Wagtail's own checks decide
            return
        finally:
            data.seek(0)
        if width * height > self.max_image_pixels:
            raise self.too_many_pixels(width * height)

    def to_python(self, data):
        self.check_header_pixels(data)
        try:
            return super().to_python(data)
        except ValidationError:
            raise
        except (OSError, SyntaxError, ValueError, EOFError) as error:
            # Willow decodes the image to measure it; Pillow raises these on damaged files.
            raise ValidationError(self.error_messages["image_damaged"], code="image_damaged") from error


class ImageForm(BaseImageForm):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        field = self.fields.get("file")
        if field is not None and type(field) is WagtailImageField:
            self.fields["file"] = CheckedImageField(
                label=field.label,
                required=field.required,
                max_length=field.max_length,
                widget=field.widget,
                help_text=field.help_text,
            )
