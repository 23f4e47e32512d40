import textwrap
import uuid

import pytest
import yaml

from kb.core.page_types import index_model
from kb.core.site_structure import ensure_site_structure


@pytest.fixture(autouse=True)
def course_pdf_cache_dir(settings, tmp_path_factory):
    """Each test prints course PDFs into a cache of its own (made on first use): page ids repeat
    across tests, and a PDF cached by one test must never answer another."""
    settings.COURSE_PDF_CACHE_DIR = tmp_path_factory.getbasetemp() / f"course-pdf-{uuid.uuid4().hex}"
    return settings.COURSE_PDF_CACHE_DIR


@pytest.fixture
def home(db):
    return ensure_site_structure()


@pytest.fixture
def indexes(home):
    """The four index pages, by type key."""
    return {key: index_model(key).objects.get() for key in ("case", "policy", "principle", "course")}


@pytest.fixture
def write_md(tmp_path):
    """Write one import file: front matter from a dict (or raw text), then a Markdown body."""

    def write(name, meta, body="正文。", folder=None):
        directory = tmp_path / (folder or "content")
        directory.mkdir(parents=True, exist_ok=True)
        path = directory / name
        if isinstance(meta, dict):
            front = yaml.safe_dump(meta, allow_unicode=True, sort_keys=False)
            path.write_text(f"---\n{front}---\n{textwrap.dedent(body)}", encoding="utf-8")
        else:
            path.write_text(meta, encoding="utf-8")
        return path

    return write
