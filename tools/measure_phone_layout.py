"""Where the first result is on a phone, and how many Tab presses reach it (docs/measurements.md).

Against a running site (`make run`, the demo content), in Debian's chromium at 390×844:

    .venv/bin/python tools/measure_phone_layout.py [--base-url http://127.0.0.1:8000] [PATH ...]

For each path (default: the search page for 停车 and for 社区, the search page with nothing typed, the case and
policy indexes) it prints the first result's top in CSS pixels from the top of the page, the Tab
presses from the page's load to the first result's link using Tab alone, and using the 跳到结果
link (Tab to it, Enter, then Tab), when the page has one.
"""

import argparse
import sys

from playwright.sync_api import sync_playwright

CHROMIUM = "/usr/bin/chromium"
ARGS = ["--headless", "--no-sandbox", "--disable-gpu"]
PHONE = {"width": 390, "height": 844}
DEFAULT_PATHS = ["/search/?q=停车", "/search/?q=社区", "/search/", "/cases/", "/policies/"]
FIRST_RESULT = ".hit .card__title a, .card-list .card__title a"
MAX_TABS = 400

IS_FIRST = f"() => document.activeElement === document.querySelector({FIRST_RESULT!r})"
IS_SKIP = "() => document.activeElement && document.activeElement.textContent.trim() === '跳到结果'"


def tabs_until(page, condition, limit=MAX_TABS):
    for count in range(1, limit + 1):
        page.keyboard.press("Tab")
        if page.evaluate(condition):
            return count
    return None


def measure(browser, url):
    context = browser.new_context(viewport=PHONE, locale="zh-CN", is_mobile=True, has_touch=True)
    page = context.new_page()
    page.goto(url)
    first = page.locator(FIRST_RESULT).first
    top = page.evaluate("e => e.getBoundingClientRect().top + window.scrollY", first.element_handle())
    boxes = page.locator("input[type=checkbox]").count()
    alone = tabs_until(page, IS_FIRST)
    page.goto(url)
    with_skip = None
    if page.get_by_role("link", name="跳到结果").count():
        to_skip = tabs_until(page, IS_SKIP)
        if to_skip is not None:
            page.keyboard.press("Enter")
            rest = tabs_until(page, IS_FIRST)
            with_skip = None if rest is None else to_skip + rest
    context.close()
    return round(top), boxes, alone, with_skip


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--base-url", default="http://127.0.0.1:8000")
    parser.add_argument("paths", nargs="*", default=DEFAULT_PATHS)
    options = parser.parse_args(argv)
    print("| page | first result top (px) | checkboxes | Tab presses (Tab alone) | Tab presses (跳到结果) |")
    print("| --- | --- | --- | --- | --- |")
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        for path in options.paths:
            top, boxes, alone, with_skip = measure(browser, options.base_url.rstrip("/") + path)
            shown = "—" if with_skip is None else with_skip
            print(
                f"| `{path}` | {top} | {boxes} | {alone if alone is not None else '> ' + str(MAX_TABS)} | {shown} |"
            )
        browser.close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
