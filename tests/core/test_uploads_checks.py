"""Documents and images: what the admin's upload views accept and refuse, with which message.

Wagtail checks extensions, file sizes, an image's format against its extension and its pixel count;
kb.core.media adds a document's content against its extension, the pixel count before decoding,
damaged images, and Chinese messages where Wagtail has none.
"""

import io
import struct
import zipfile
import zlib

import pytest
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from PIL import Image as PILImage
from PIL import ImageFile
from wagtail.documents import get_document_model
from wagtail.images import get_image_model
from wagtail.models import Collection

from kb.editorial.roles import EDITORS

Document = get_document_model()
Image = get_image_model()

PDF = b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n"
OLE2 = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 504
RTF = b"{\\rtf1\\ansi \\u31038?\\u21306?}"


def zipped(entries):
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for name, data in entries.items():
            archive.writestr(name, data)
    return buffer.getvalue()


DOCX = zipped({"[Content_Types].xml": "<Types/>", "word/document.xml": "<w:document/>"})
XLSX = zipped({"[Content_Types].xml": "<Types/>", "xl/workbook.xml": "<workbook/>"})
ODT = zipped({"mimetype": "application/vnd.oasis.opendocument.text", "content.xml": "<office/>"})


def image_bytes(size=(60, 40), fmt="PNG"):
    buffer = io.BytesIO()
    PILImage.new("RGB", size, "teal").save(buffer, fmt)
    return buffer.getvalue()


def png_claiming(width, height):
    """A tiny PNG whose header claims width × height pixels (a decompression bomb's header)."""

    def chunk(kind, data):
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))

    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", header)
        + chunk(b"IDAT", zlib.compress(b"\x00" * 1000))
        + chunk(b"IEND", b"")
    )


@pytest.fixture
def editor_client(client, home):
    user = get_user_model().objects.create_user(username="editor", password="pw-not-used")
    user.groups.add(Group.objects.get(name=EDITORS))
    client.force_login(user)
    return client


@pytest.fixture
def collection(home):
    return Collection.get_first_root_node()


def add_document(client, collection, name, data):
    return client.post(
        reverse("wagtaildocs:add"),
        {"title": name, "collection": collection.pk, "file": SimpleUploadedFile(name, data)},
    )


def add_image(client, collection, name, data):
    return client.post(
        reverse("wagtailimages:add"),
        {"title": name, "collection": collection.pk, "file": SimpleUploadedFile(name, data)},
    )


def form_errors(response):
    assert response.status_code == 200, response.status_code
    return " ".join(response.context["form"].errors.get("file", []))


# --------------------------------------------------------------------------- documents


@pytest.mark.parametrize(
    "name, data",
    [
        ("政策原文.pdf", PDF),
        ("通知.doc", OLE2),
        ("实施细则.docx", DOCX),
        ("统计表.xlsx", XLSX),
        ("办法.odt", ODT),
        ("说明.rtf", RTF),
        ("名单.csv", "姓名,社区\n张三,锦江\n".encode("gb18030")),  # as Chinese Excel saves it
        ("备注.txt", "社区营造".encode("utf-16")),
        ("附件.zip", zipped({"a.txt": "x"})),
    ],
)
def test_documents_whose_content_matches_are_accepted(editor_client, collection, name, data):
    response = add_document(editor_client, collection, name, data)
    assert response.status_code == 302, response.context["form"].errors
    assert Document.objects.get(title=name).file_size == len(data)


@pytest.mark.parametrize(
    "name, data, says",
    [
        (
            "政策原文.pdf",
            b"<!DOCTYPE html><script>alert(1)</script>",
            "不是有效的PDF 文档，看起来是HTML/XML 文件",
        ),
        ("通知.doc", b"MZ\x90\x00" + b"\x00" * 100, "不是有效的Word 文档，看起来是Windows 可执行程序"),
        ("细则.docx", zipped({"a.txt": "x"}), "不是有效的Word 文档，看起来是zip 压缩包或新版 Office 文档"),
        ("细则.docx", PDF, "不是有效的Word 文档，看起来是PDF 文档"),
        ("统计表.xlsx", DOCX, "不是有效的Excel 表格"),
        ("办法.odt", zipped({"mimetype": "application/zip"}), "不是有效的OpenDocument 文本"),
        ("说明.rtf", b"plain text", "不是有效的RTF 文档"),
        ("备注.txt", b"\x7fELF\x02\x01\x01" + b"\x00" * 50, "不是有效的纯文本文件，看起来是Linux 可执行程序"),
        ("名单.csv", b"a,b\x00\x00\x01", "不是有效的CSV 表格"),
        ("附件.zip", b"Rar!\x1a\x07\x00", "不是有效的zip 压缩包，看起来是RAR 压缩包"),
    ],
)
def test_document_whose_content_does_not_match_its_extension_is_refused(
    editor_client, collection, name, data, says
):
    message = form_errors(add_document(editor_client, collection, name, data))
    assert f"文件内容与扩展名不符：“{name}”{says}" in message
    assert "请上传原始文件，不要只改扩展名" in message
    assert not Document.objects.exists()


def test_document_extension_not_allowed_is_refused(editor_client, collection):
    message = form_errors(add_document(editor_client, collection, "page.html", b"<html></html>"))
    assert "不被允许" in message and "html" in message  # Wagtail's check, in Django's Chinese
    assert not Document.objects.exists()


def test_document_too_large_is_refused(editor_client, collection, settings):
    settings.WAGTAILDOCS_MAX_UPLOAD_SIZE = 100
    message = form_errors(add_document(editor_client, collection, "大文件.pdf", PDF + b" " * 200))
    assert "文件过大" in message and "文件大小上限为 100\xa0字节" in message
    assert not Document.objects.exists()


def test_multiple_document_upload_is_checked_too(editor_client, collection):
    url = reverse("wagtaildocs:add_multiple")
    response = editor_client.post(url, {"files[]": SimpleUploadedFile("假.pdf", b"GIF89a....")})
    data = response.json()
    assert data["success"] is False
    assert "文件内容与扩展名不符" in data["error_message"] and "GIF 图片" in data["error_message"]
    response = editor_client.post(url, {"files[]": SimpleUploadedFile("真.pdf", PDF)})
    assert response.json()["success"] is True
    assert Document.objects.get().title == "真.pdf"


def test_replacing_a_document_file_is_checked(editor_client, collection):
    assert add_document(editor_client, collection, "原文.pdf", PDF).status_code == 302
    document = Document.objects.get()
    response = editor_client.post(
        reverse("wagtaildocs:edit", args=[document.pk]),
        {
            "title": "原文.pdf",
            "collection": collection.pk,
            "file": SimpleUploadedFile("新.pdf", b"not a pdf"),
        },
    )
    assert "文件内容与扩展名不符" in form_errors(response)
    response = editor_client.post(
        reverse("wagtaildocs:edit", args=[document.pk]), {"title": "改名.pdf", "collection": collection.pk}
    )
    assert response.status_code == 302  # an edit without a new file is not re-checked
    document.refresh_from_db()
    assert document.title == "改名.pdf"


# --------------------------------------------------------------------------- images


def test_image_is_accepted_and_renditions_are_made(editor_client, collection):
    response = add_image(editor_client, collection, "活动照片.jpg", image_bytes((800, 600), "JPEG"))
    assert response.status_code == 302, response.context["form"].errors
    image = Image.objects.get()
    assert (image.width, image.height) == (800, 600)
    rendition = image.get_rendition("fill-200x100")
    assert (rendition.width, rendition.height) == (200, 100)
    with rendition.file.open("rb") as file, PILImage.open(file) as thumbnail:
        assert thumbnail.size == (200, 100)
    assert image.get_rendition("width-400|format-webp").url.endswith(".webp")


def test_image_whose_format_does_not_match_its_extension_is_refused(editor_client, collection):
    message = form_errors(add_image(editor_client, collection, "照片.jpg", image_bytes()))
    assert message == "不是有效的 .jpeg 图片：扩展名与文件的实际格式（png）不符。"
    assert not Image.objects.exists()


def test_not_an_image_or_not_an_allowed_format_is_refused(editor_client, collection):
    message = form_errors(add_image(editor_client, collection, "照片.png", b"<svg onload=alert(1)>"))
    assert "请上传有效图片" in message
    message = form_errors(
        add_image(editor_client, collection, "图.svg", b"<svg xmlns='http://www.w3.org/2000/svg'/>")
    )
    assert "不支持的图片格式" in message
    message = form_errors(add_image(editor_client, collection, "图.bmp", image_bytes(fmt="BMP")))
    assert "不支持的图片格式" in message
    assert not Image.objects.exists()


def test_image_too_large_is_refused(editor_client, collection, settings):
    settings.WAGTAILIMAGES_MAX_UPLOAD_SIZE = 1000
    message = form_errors(
        add_image(editor_client, collection, "大图.png", image_bytes((400, 400)) + b"\x00" * 2000)
    )
    assert "文件过大" in message
    assert not Image.objects.exists()


@pytest.mark.parametrize(
    "width, height, count",
    [(10_000, 10_000, "100,000,000"), (9000, 8000, "72,000,000"), (40_000, 40_000, "超过 178,956,970")],
)
def test_decompression_bomb_is_refused_before_it_is_decoded(
    editor_client, collection, monkeypatch, width, height, count
):
    def no_decoding(self):
        raise AssertionError("the image was decoded")

    monkeypatch.setattr(ImageFile.ImageFile, "load", no_decoding)
    data = png_claiming(width, height)
    assert len(data) < 2000
    message = form_errors(add_image(editor_client, collection, "炸弹.png", data))
    assert message == f"图片像素过多（{count}），上限为 64,000,000 像素。请缩小后再上传。"
    assert not Image.objects.exists()


def test_damaged_image_is_refused_instead_of_failing(editor_client, collection):
    truncated = image_bytes((300, 300))[:80]
    message = form_errors(add_image(editor_client, collection, "坏图.png", truncated))
    assert message == "图片文件已损坏或不完整，无法读取。请重新导出后再上传。"
    assert not Image.objects.exists()


def test_multiple_image_upload_is_checked_too(editor_client, collection):
    url = reverse("wagtailimages:add_multiple")
    response = editor_client.post(
        url, {"files[]": SimpleUploadedFile("炸弹.png", png_claiming(10_000, 10_000))}
    )
    data = response.json()
    assert data["success"] is False and "图片像素过多" in data["error_message"]
    response = editor_client.post(url, {"files[]": SimpleUploadedFile("坏图.png", image_bytes()[:80])})
    assert "图片文件已损坏" in response.json()["error_message"]
    response = editor_client.post(url, {"files[]": SimpleUploadedFile("好图.png", image_bytes())})
    assert response.json()["success"] is True
    assert Image.objects.get().title == "好图.png"
