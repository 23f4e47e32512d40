"""Course PDFs are printed once per handout and at most COURSE_PDF_CONCURRENCY at a time (issue 17).

Most tests point CHROMIUM_PATH at a small stand-in printer (a shell script that writes the HTML it
was given behind a PDF header and counts its runs), so they can see what was printed and how
often; one test prints with the real Chromium.
"""

import os
import signal
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest
from django.conf import settings as django_settings

from kb.courses import pdf
from tests.courses.conftest import NOTES


class Printer:
    """A stand-in for Chromium: writes `%PDF-stand-in` and the handout's HTML to --print-to-pdf."""

    def __init__(self, directory, body=None):
        self.log = directory / "printed.log"
        self.path = directory / "fake-chromium"
        self.path.write_text(
            textwrap.dedent(
                f"""\
                #!/bin/sh
                for arg; do
                  case "$arg" in
                    --print-to-pdf=*) out="${{arg#--print-to-pdf=}}" ;;
                    file://*) src="${{arg#file://}}" ;;
                  esac
                done
                echo printed >> "{self.log}"
                """
            )
            + (body or '{ printf "%%PDF-stand-in\\n"; cat "$src"; } > "$out"\n')
        )
        self.path.chmod(0o755)

    @property
    def runs(self):
        return len(self.log.read_text().splitlines()) if self.log.exists() else 0


@pytest.fixture
def printer(tmp_path, settings):
    stand_in = Printer(tmp_path)
    settings.CHROMIUM_PATH = str(stand_in.path)
    return stand_in


def cached_files(page, variant):
    return sorted(pdf.cache_dir().glob(f"{pdf.cache_prefix(page, variant)}*.pdf"))


@pytest.mark.skipif(not Path("/usr/bin/chromium").exists(), reason="no Chromium on this machine")
def test_cached_pdf_is_served_again_without_starting_chromium(client, course, settings):
    settings.CHROMIUM_PATH = "/usr/bin/chromium"
    first = client.get(course.participant_pdf_url)
    assert first.status_code == 200 and first.content.startswith(b"%PDF")
    settings.CHROMIUM_PATH = "/nonexistent/chromium"  # any printing from now on would answer 503
    again = client.get(course.participant_pdf_url)
    assert again.status_code == 200 and again.content == first.content
    assert again["Content-Type"] == "application/pdf" and "attachment" in again["Content-Disposition"]
    assert len(cached_files(course, "participant")) == 1


def test_a_new_revision_is_printed_anew_and_replaces_the_old_pdf(client, course, printer):
    first = client.get(course.participant_pdf_url).content
    assert client.get(course.participant_pdf_url).content == first and printer.runs == 1
    old_files = cached_files(course, "participant")

    course.title = "参与式培训（第二版）"
    course.save_revision().publish()
    course.refresh_from_db()
    second = client.get(course.participant_pdf_url).content
    assert printer.runs == 2 and second != first and "第二版" in second.decode()
    files = cached_files(course, "participant")
    assert len(files) == 1 and files != old_files and f"r{course.live_revision_id}-" in files[0].name


def test_a_linked_page_made_private_is_not_served_from_an_older_pdf(client, course, linked_pages, printer):
    """The handout lists linked pages the public may see; a PDF printed before a linked page went
    private must not be served after (no course revision changes)."""
    from wagtail.models import PageViewRestriction

    assert "金华里新居民之家" in client.get(course.participant_pdf_url).content.decode()
    PageViewRestriction.objects.create(
        page=linked_pages["case"], restriction_type=PageViewRestriction.PASSWORD, password="x"
    )
    again = client.get(course.participant_pdf_url).content.decode()
    assert printer.runs == 2 and "金华里新居民之家" not in again


def test_the_facilitator_pdf_is_never_served_to_a_participant(
    client, admin_client, course, printer, settings
):
    facilitator = admin_client.get(course.facilitator_pdf_url)
    assert facilitator.status_code == 200 and NOTES in facilitator.content.decode()
    assert facilitator["Cache-Control"] == "private, no-store"
    assert len(cached_files(course, "facilitator")) == 1

    settings.CHROMIUM_PATH = "/nonexistent/chromium"  # only a cached participant PDF could answer now
    participant = client.get(course.participant_pdf_url)
    assert participant.status_code == 503 and NOTES not in participant.content.decode()

    settings.CHROMIUM_PATH = str(printer.path)
    participant = client.get(course.participant_pdf_url)
    assert participant.status_code == 200 and NOTES not in participant.content.decode()
    # and the facilitator's cached copy still answers the facilitator
    assert admin_client.get(course.facilitator_pdf_url).content == facilitator.content


def test_beyond_the_limit_the_pdf_answers_503_with_the_print_view(client, course, printer, settings):
    settings.COURSE_PDF_CONCURRENCY = 2
    with pdf.printing_slot(), pdf.printing_slot():  # two printings under way elsewhere
        busy = client.get(course.participant_pdf_url)
    assert busy.status_code == 503 and busy["Retry-After"] == str(pdf.RETRY_AFTER_SECONDS)
    html = busy.content.decode()
    assert "同时生成 PDF 的请求太多" in html and course.participant_handout_url in html
    assert printer.runs == 0

    assert client.get(course.participant_pdf_url).status_code == 200  # the slots are free again
    assert printer.runs == 1


def test_a_cached_pdf_needs_no_slot(client, course, printer, settings):
    settings.COURSE_PDF_CONCURRENCY = 1
    printed = client.get(course.participant_pdf_url).content
    with pdf.printing_slot():
        response = client.get(course.participant_pdf_url)
    assert response.status_code == 200 and response.content == printed and printer.runs == 1


def test_one_slot_is_taken_per_printing_up_to_the_limit(settings):
    settings.COURSE_PDF_CONCURRENCY = 3
    with pdf.printing_slot() as first, pdf.printing_slot() as second, pdf.printing_slot() as third:
        assert sorted((first, second, third)) == [0, 1, 2]
        with pytest.raises(pdf.PdfBusy), pdf.printing_slot():
            pass
    with pdf.printing_slot() as again:
        assert again == 0


def alive(pid):
    """True while the process runs (a zombie waiting for its parent does not count)."""
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except FileNotFoundError:
        return False
    return state != "Z"


def test_a_timed_out_chromium_is_killed_with_its_children_and_frees_its_slot(
    client, course, tmp_path, settings
):
    children = tmp_path / "child.pid"
    hung = Printer(tmp_path, body=f'sleep 300 &\necho $! > "{children}"\nwait\n')
    settings.CHROMIUM_PATH = str(hung.path)
    settings.COURSE_PDF_TIMEOUT = 1
    settings.COURSE_PDF_CONCURRENCY = 1
    response = client.get(course.participant_pdf_url)
    assert response.status_code == 503 and "超时" in response.content.decode()
    assert not alive(int(children.read_text()))
    with pdf.printing_slot() as slot:
        assert slot == 0
    assert cached_files(course, "participant") == []


def test_a_crashed_chromium_frees_its_slot_and_caches_nothing(client, course, tmp_path, settings):
    crashing = Printer(tmp_path, body="exit 1\n")
    settings.CHROMIUM_PATH = str(crashing.path)
    settings.COURSE_PDF_CONCURRENCY = 1
    response = client.get(course.participant_pdf_url)
    assert response.status_code == 503 and "没有生成 PDF" in response.content.decode()
    assert "Retry-After" not in response
    with pdf.printing_slot() as slot:
        assert slot == 0
    assert cached_files(course, "participant") == []


def test_a_slot_held_by_another_process_counts_and_is_freed_when_that_process_dies(
    client, course, printer, settings
):
    """gunicorn workers share the limit: another process holds the only slot, then is killed."""
    settings.COURSE_PDF_CONCURRENCY = 1
    holder = subprocess.Popen(
        [
            sys.executable,
            "-c",
            "import time, django; django.setup()\n"
            "from kb.courses.pdf import printing_slot\n"
            "with printing_slot():\n"
            "    print('held', flush=True)\n"
            "    time.sleep(300)\n",
        ],
        env={
            **os.environ,
            "DJANGO_SETTINGS_MODULE": "kb.settings.test",
            "COURSE_PDF_CACHE_DIR": str(django_settings.COURSE_PDF_CACHE_DIR),
            "COURSE_PDF_CONCURRENCY": "1",
        },
        stdout=subprocess.PIPE,
        text=True,
        cwd=django_settings.BASE_DIR,
    )
    try:
        assert holder.stdout.readline().strip() == "held"
        assert client.get(course.participant_pdf_url).status_code == 503
    finally:
        holder.send_signal(signal.SIGKILL)
        holder.wait()
    assert client.get(course.participant_pdf_url).status_code == 200
    assert printer.runs == 1


def test_a_request_for_a_handout_being_printed_waits_for_that_printing(client, course, printer):
    """Another process prints this handout (holds its lock) and lets go once this request waits
    on the lock (seen in /proc/locks: no timing), without a PDF: the request prints no second copy."""
    holder = subprocess.Popen(
        [
            sys.executable,
            "-c",
            "import os, sys, time, types, django; django.setup()\n"
            "from kb.courses import pdf\n"
            "page = types.SimpleNamespace(pk=int(sys.argv[1]))\n"
            "with pdf.handout_lock(page, 'participant'):\n"
            "    inode = os.stat(pdf.cache_dir() / (pdf.cache_prefix(page, 'participant') + 'lock')).st_ino\n"
            "    print('held', flush=True)\n"
            "    for _ in range(6000):\n"
            "        if any('->' in line and f':{inode} ' in line for line in open('/proc/locks')):\n"
            "            break\n"
            "        time.sleep(0.01)\n",
            str(course.pk),
        ],
        env={
            **os.environ,
            "DJANGO_SETTINGS_MODULE": "kb.settings.test",
            "COURSE_PDF_CACHE_DIR": str(django_settings.COURSE_PDF_CACHE_DIR),
        },
        stdout=subprocess.PIPE,
        text=True,
        cwd=django_settings.BASE_DIR,
    )
    try:
        assert holder.stdout.readline().strip() == "held"
        response = client.get(course.participant_pdf_url)
    finally:
        holder.wait(timeout=120)
    assert response.status_code == 503 and "没有生成成功" in response.content.decode()
    assert printer.runs == 0
    assert client.get(course.participant_pdf_url).status_code == 200 and printer.runs == 1


def test_an_unusable_cache_directory_answers_503_with_the_print_view(
    client, course, printer, settings, tmp_path
):
    blocker = tmp_path / "not-a-directory"
    blocker.write_text("")
    settings.COURSE_PDF_CACHE_DIR = blocker / "course-pdf"
    response = client.get(course.participant_pdf_url)
    assert response.status_code == 503 and course.participant_handout_url in response.content.decode()
    assert "暂时无法生成 PDF" in response.content.decode() and printer.runs == 0
