"""`bookforge serve` in a real browser (Playwright driving Debian's Chromium): stories listed, every
device frame at its size, pages turned by the arrow key, edits shown in place, problems placed,
a broken book.toml shown above the last good book, and the print view's spreads. With
BOOKFORGE_SCREENSHOTS=docs/images it also takes the screenshots docs/serve.md shows."""

from __future__ import annotations

import os
import queue
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest

pytest.importorskip("starlette", reason="the serve extra is not installed (pip install -e '.[serve]')")
sync_api = pytest.importorskip("playwright.sync_api", reason="Playwright's Python package is not installed")

CHROMIUM = Path("/usr/bin/chromium")
pytestmark = [
    pytest.mark.slow,
    pytest.mark.skipif(not CHROMIUM.exists(), reason="no Chromium at /usr/bin/chromium (./dev test installs it)"),
]
DEVICES = {"eink6": (536, 724), "reader7": (632, 840), "phone": (393, 852), "tablet": (820, 1180)}
SCREENSHOTS = os.environ.get("BOOKFORGE_SCREENSHOTS")


@pytest.fixture(scope="module")
def preview(tmp_path_factory):
    """`bookforge serve --to epub --to pdf` on a copy of seeds_shape, and a browser page on it."""
    import shutil

    folder = tmp_path_factory.mktemp("serve") / "seeds_shape"
    shutil.copytree(Path(__file__).parent / "fixtures" / "seeds_shape", folder)
    # A third story in chapters, so that chapters are listed and opened too.
    (folder / "manuscripts" / "lights.md").write_text(
        "---\ntitle: Harbour Lights\nauthor: C. Keeper\n---\n\n# The First Lamp\n\n"
        + "The keeper lit the first lamp at dusk and counted the boats home. " * 30
        + "\n\n# The Second Lamp\n\n"
        + "The second lamp was for the ones still out. " * 30
        + "\n"
    )
    toml = folder / "book.toml"
    toml.write_text(toml.read_text() + '\n[[story]]\nfile = "manuscripts/lights.md"\n\n[pdf]\ntrim = "5x8in"\n')
    env = {k: v for k, v in os.environ.items() if k != "SOURCE_DATE_EPOCH"}
    process = subprocess.Popen(
        [sys.executable, "-m", "bookforge", "serve", "--to", "epub", "--to", "pdf"],
        cwd=folder,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
    )
    lines: queue.Queue[str] = queue.Queue()
    threading.Thread(target=lambda: [lines.put(line) for line in process.stderr], daemon=True).start()
    url = None
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        line = lines.get(timeout=60)
        if line.startswith("previewing at"):
            url = line.split()[2]
        if line.startswith("watching"):  # an edit made before would go unseen
            break
    with sync_api.sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=str(CHROMIUM),
            args=[
                "--no-sandbox",
                "--disable-gpu",
                "--disable-background-networking",
                "--disable-component-update",
                "--disable-sync",
                "--no-first-run",
            ],
        )
        page = browser.new_page(viewport={"width": 1440, "height": 1000})
        errors: list[str] = []
        page.on("pageerror", lambda error: errors.append(str(error)))
        page.goto(url)
        page.wait_for_selector("#contents a")
        page.wait_for_function("() => document.querySelector('#status').textContent.startsWith('Up to date')")
        yield folder, page, errors
        browser.close()
    process.terminate()
    process.wait(timeout=30)


NIGHT_WINDOW = "EPUB/text/night-window.xhtml"


def digest_of(page, href: str) -> str:
    return page.evaluate(f"""async () => (await (await fetch('/api/state')).json()).book.spine
                             .find(c => c.href === '{href}').digest""")


def frame_text(page) -> str:
    return page.frame_locator("#reader").locator("body").inner_text()


def open_story(page, title: str) -> None:
    page.locator("#contents a", has_text=title).click()
    page.wait_for_function(f"() => document.querySelector('#page-counter').textContent.includes({title!r})")


def test_the_page_lists_the_stories(preview):
    _, page, errors = preview
    names = page.locator("#contents > li > a").all_inner_texts()
    assert [name.splitlines()[0] for name in names] == ["The Long Way Round", "Night Window", "Harbour Lights"]
    assert "A. Writer" in names[0]
    chapters = page.locator("#contents > li:nth-child(3) ol a").all_inner_texts()
    assert chapters == ["The First Lamp", "The Second Lamp"]
    assert not errors


def test_a_chapter_opens_in_each_device_frame_at_its_size(preview):
    _, page, errors = preview
    for device, (width, height) in DEVICES.items():
        page.click(f"#devices button[data-device={device}]")
        open_story(page, "Night Window")
        page.locator("#contents a", has_text="The Second Lamp").click()
        page.wait_for_function("() => document.querySelector('#page-counter').textContent.includes('Second Lamp')")
        size = page.evaluate(
            "(() => { const f = document.querySelector('#reader');"
            " return [f.contentWindow.innerWidth, f.contentWindow.innerHeight]; })()"
        )
        assert size == [width, height], device
        assert "The second lamp was for the ones still out" in frame_text(page)
        box = page.locator("#device").bounding_box()
        assert box["height"] <= 1000, "the frame is scaled to fit the window"
    assert not errors


def test_the_arrow_key_turns_a_page(preview):
    _, page, _ = preview
    page.click("#devices button[data-device=eink6]")
    open_story(page, "The Long Way Round")
    counter = page.inner_text("#page-counter")
    assert counter.startswith("Page 1 of ") and int(counter.split()[3]) > 1, counter
    before = page.evaluate("document.querySelector('#reader').contentWindow.scrollX")
    page.keyboard.press("ArrowRight")
    page.wait_for_function("() => document.querySelector('#page-counter').textContent.startsWith('Page 2 of')")
    assert page.evaluate("document.querySelector('#reader').contentWindow.scrollX") == before + DEVICES["eink6"][0]
    if SCREENSHOTS:
        page.click("#devices button[data-device=reader7]")
        open_story(page, "The Long Way Round")
        page.wait_for_timeout(300)
        page.screenshot(path=str(Path(SCREENSHOTS) / "serve-reading.png"))
        page.click("#devices button[data-device=eink6]")
        open_story(page, "The Long Way Round")


def test_an_edit_shows_within_two_seconds_in_place_keeping_the_page(preview):
    folder, page, errors = preview
    open_story(page, "The Long Way Round")
    page.keyboard.press("ArrowRight")
    page.wait_for_function("() => document.querySelector('#page-counter').textContent.startsWith('Page 2 of')")
    page.evaluate("window.stillHere = true")
    loads = page.get_attribute("#reader", "data-loads")
    story = folder / "manuscripts" / "long.txt"
    story.write_text(story.read_text().replace("He had grown a beard.", "He had grown a splendid copper beard.", 1))
    started = time.monotonic()
    page.wait_for_function(
        "() => document.querySelector('#reader').contentDocument.body.textContent.includes('splendid copper beard')",
        timeout=2000,
    )
    assert time.monotonic() - started <= 2.0
    assert page.evaluate("window.stillHere") is True, "the preview did not reload"
    assert page.get_attribute("#reader", "data-loads") == loads, "nor did the book's frame"
    assert page.inner_text("#page-counter").startswith("Page 2 of"), "the reader stays on their page"
    assert not errors


def test_an_edit_in_scroll_mode_keeps_the_scroll_position(preview):
    folder, page, errors = preview
    open_story(page, "The Long Way Round")
    page.click("#mode-scroll")
    scroller = "document.querySelector('#reader').contentDocument.scrollingElement"
    page.wait_for_function(f"() => {scroller}.scrollHeight > 2 * {scroller}.clientHeight")
    page.evaluate(f"{scroller}.scrollTop = 500")
    page.wait_for_function("() => /^\\d+% · /.test(document.querySelector('#page-counter').textContent)")
    top = page.evaluate(f"{scroller}.scrollTop")
    assert top == 500
    story = folder / "manuscripts" / "long.txt"
    story.write_text(story.read_text().replace(" beard.", " beard, fine and red.", 1))
    page.wait_for_function(
        "() => document.querySelector('#reader').contentDocument.body.textContent.includes('beard, fine and red')",
        timeout=5000,
    )
    assert page.evaluate(f"{scroller}.scrollTop") == top, "the reader stays where they were"
    page.click("#mode-pages")
    assert not errors


def test_an_unbalanced_quote_appears_in_the_problems_pane_and_goes_when_fixed(preview):
    folder, page, _ = preview
    story = folder / "manuscripts" / "short.txt"
    good = story.read_text()
    shown = digest_of(page, NIGHT_WINDOW)
    lines = good.splitlines()
    line = next(n for n, text in enumerate(lines, 1) if text.startswith("Odo woke"))
    lines[line - 1] = lines[line - 1].replace("the latch.", 'the latch."', 1)  # a quote closed, never opened
    story.write_text("\n".join(lines) + "\n")
    problem = page.locator(".problem", has_text="L001")
    problem.wait_for(timeout=10000)
    assert f"manuscripts/short.txt:{line}" in problem.inner_text()
    # The problems come from the files as they are after a build; the book is the build's. A build
    # that began before the save (the last test's) may list the quote first: wait for the book too.
    page.wait_for_function(f"""async () => (await (await fetch('/api/state')).json()).book.spine
                               .find(c => c.href === '{NIGHT_WINDOW}').digest !== '{shown}'""")
    page.wait_for_function("() => document.querySelector('#status').textContent.startsWith('Up to date')")
    problem.click()
    page.wait_for_function(
        "() => document.querySelector('#reader').contentDocument.querySelector('.bf-found')"
        "?.textContent.startsWith('Odo woke to the sound of the latch.\u201d')",
        timeout=5000,
    )
    story.write_text(good)
    problem.wait_for(state="detached", timeout=10000)


def test_a_broken_book_toml_shows_the_error_and_keeps_the_last_good_book(preview):
    folder, page, _ = preview
    page.click("#devices button[data-device=tablet]")  # the tallest: scaled to fit, with no room to spare
    toml = folder / "book.toml"
    good = toml.read_text()
    toml.write_text(good.replace("[book]\n", '[book]\nlangauge = "en"\n'))
    banner = page.locator("#error-banner")
    banner.wait_for(state="visible", timeout=10000)
    page.wait_for_timeout(100)  # a frame or two for the device to be fitted again
    device = page.locator("#device").bounding_box()
    for control in ("#prev", "#page-counter", "#next"):
        box = page.locator(control).bounding_box()
        assert box["y"] >= 0 and box["y"] + box["height"] <= 1000, f"{control} is in the window"
        assert box["y"] >= device["y"] + device["height"], f"{control} is below the device, not under it"
    assert device["y"] >= page.locator("#error-banner").bounding_box()["y"] + banner.bounding_box()["height"]
    assert "book.toml:2" in banner.inner_text() and "langauge" in banner.inner_text()
    assert "Showing the last good book" in banner.inner_text()
    assert page.locator("#contents > li > a").count() == 3
    assert "Pella" in frame_text(page) or "Odo" in frame_text(page)
    toml.write_text(good)
    banner.wait_for(state="hidden", timeout=10000)
    page.click("#devices button[data-device=eink6]")


def test_the_print_view_shows_pages_of_the_trims_proportions_in_spreads(preview):
    _, page, errors = preview
    page.click(".tab[data-view=print]")
    page.wait_for_function(
        "() => [...document.querySelectorAll('#spreads img')].slice(0, 3).every(i => i.complete && i.naturalWidth > 0)"
    )
    trim = page.evaluate("fetch('/api/state').then(r => r.json()).then(s => [s.pages[0].width, s.pages[0].height])")
    sizes = page.evaluate(
        "[...document.querySelectorAll('#spreads img')].slice(0, 3).map(i => [i.naturalWidth, i.naturalHeight])"
    )
    assert trim == [360, 576], "the trim book.toml sets, 5x8in, in points"
    for width, height in sizes:
        assert abs(width / height - trim[0] / trim[1]) < 0.01, (width, height, trim)
        assert abs(width / height - 5 / 8) < 0.01, "the proportions of book.toml's trim, 5x8in"
    shown = page.locator("#spreads img").nth(0).bounding_box()
    assert abs(shown["width"] / shown["height"] - 5 / 8) < 0.01, "shown in those proportions too"
    spreads = page.locator(".spread")
    first = spreads.nth(0).locator(".sheet")
    assert "blank" in first.nth(0).get_attribute("class"), "page 1 is a recto, alone on the right"
    assert first.nth(1).locator("img").get_attribute("alt") == "Page 1"
    second = spreads.nth(1).locator("img")
    left, right = second.nth(0).bounding_box(), second.nth(1).bounding_box()
    assert second.nth(0).get_attribute("alt") == "Page 2" and second.nth(1).get_attribute("alt") == "Page 3"
    assert abs(left["y"] - right["y"]) < 1 and abs(left["x"] + left["width"] - right["x"]) < 1, "side by side"
    if SCREENSHOTS:  # the stories' pages, not the front matter's mostly blank ones
        page.evaluate(
            "() => document.querySelector('#print-view').scrollTo(0, "
            "document.querySelectorAll('.spread')[3].offsetTop - 16)"
        )
        page.wait_for_function(  # the pages in view drawn (the others load as they come into view)
            "() => [...document.querySelectorAll('#spreads img')].filter(i => { const r = i.getBoundingClientRect();"
            " return r.bottom > 0 && r.top < innerHeight; }).every(i => i.complete && i.naturalWidth > 0)"
        )
        page.wait_for_timeout(300)
        page.screenshot(path=str(Path(SCREENSHOTS) / "serve-print.png"))
    page.click(".tab[data-view=reading]")
    assert not errors


def test_the_print_views_page_size_is_chosen_and_remembered(preview):
    _, page, errors = preview
    page.click(".tab[data-view=print]")
    slider = page.locator("#page-size")
    assert slider.is_visible() and not page.locator("#devices").is_visible(), "the print view's own tools"
    sheet = page.locator(".spread").nth(1).locator(".sheet").nth(0)
    default = sheet.bounding_box()["width"]
    slider.fill("500")
    assert abs(sheet.bounding_box()["width"] - 500) < 1 and default < 500
    assert page.evaluate("localStorage.getItem('bookforge.printPageWidth')") == "500"
    page.reload()
    page.wait_for_selector("#spreads img", state="attached")
    page.click(".tab[data-view=print]")
    assert page.locator("#page-size").input_value() == "500"
    assert abs(page.locator(".spread").nth(1).locator(".sheet").nth(0).bounding_box()["width"] - 500) < 1
    left = page.locator(".spread").nth(1).bounding_box()["x"]
    assert left >= page.locator("#print-view").bounding_box()["x"], "a wide spread starts in view, not cut off"
    page.evaluate("localStorage.removeItem('bookforge.printPageWidth')")
    page.reload()
    page.wait_for_selector("#contents a")
    page.wait_for_function("() => document.querySelector('#status').textContent.startsWith('Up to date')")
    assert not errors
