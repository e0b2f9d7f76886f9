"""End to end in a real browser: Debian's chromium driven by Playwright (no browser download).

Starts ``streamlit run dashboard.py`` on a free port over a data directory with the demo
loaded, walks every page, downloads a CSV and checks it, and takes screenshots of the pages.
With ``EARSHOT_UPDATE_SCREENSHOTS=1`` they replace the ones the README and docs/dashboard.md show
(docs/screenshots/*.png); otherwise they go to a temporary folder, so a test run leaves the
working tree as it was.
"""

from __future__ import annotations

import csv
import io
import os
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest

from earshot.config import EXAMPLE_CONFIG, load_config
from earshot.context import Context
from pages import _demo
from storage.queries_rows import EXPORT_COLUMNS

ROOT = Path(__file__).resolve().parent.parent
CHROMIUM = Path("/usr/bin/chromium")
DOC_SHOTS = ROOT / "docs" / "screenshots"
ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
        "--disable-component-update", "--no-first-run", "--disable-sync"]
PAGES = ["Overview", "Join the conversation", "Topics and themes", "Mentions", "Competitors", "Coverage",
         "Transparency report"]  # titles in the sidebar navigation, in order

pytestmark = pytest.mark.browser


def _chromium_or_skip() -> None:
    if CHROMIUM.exists():
        return
    if os.environ.get("CI"):
        pytest.fail(f"{CHROMIUM} is missing in CI: .ci/run must install the Debian package 'chromium'.")
    pytest.skip(f"{CHROMIUM} not installed (apt-get install -y chromium); CI installs it and runs this test.")


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture(scope="module")
def data(tmp_path_factory: pytest.TempPathFactory) -> Path:
    _chromium_or_skip()
    return tmp_path_factory.mktemp("browser") / "data"


@pytest.fixture(scope="module")
def shots(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Where the screenshots go: the docs' folder only when asked to update it."""
    if os.environ.get("EARSHOT_UPDATE_SCREENSHOTS") == "1":
        DOC_SHOTS.mkdir(parents=True, exist_ok=True)
        return DOC_SHOTS
    return tmp_path_factory.mktemp("screenshots")


@pytest.fixture(scope="module")
def app_url(data: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    _demo.load_demo(Context(load_config(EXAMPLE_CONFIG), data))
    port = _free_port()
    env = {**os.environ, "EARSHOT_DATA_DIR": str(data), "EARSHOT_CONFIG": str(EXAMPLE_CONFIG)}
    log = tmp_path_factory.mktemp("browser-log") / "streamlit.log"
    with open(log, "wb") as out:
        proc = subprocess.Popen(
            [sys.executable, "-m", "streamlit", "run", "dashboard.py", "--server.headless", "true",
             "--server.port", str(port), "--server.address", "127.0.0.1", "--browser.gatherUsageStats", "false"],
            cwd=ROOT, env=env, stdout=out, stderr=subprocess.STDOUT,
        )
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                with urllib.request.urlopen(url + "/_stcore/health", timeout=2) as r:
                    if r.read().strip() == b"ok":
                        break
            except OSError:
                pass
            if proc.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError("streamlit did not start:\n" + log.read_text(errors="replace")[-3000:])
            time.sleep(0.3)
        yield url
    finally:
        proc.terminate()
        try:
            proc.wait(10)
        except subprocess.TimeoutExpired:
            proc.kill()


@pytest.fixture(scope="module")
def browser_page(app_url: str) -> Iterator:
    from playwright.sync_api import sync_playwright

    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=str(CHROMIUM), args=ARGS, headless=True)
        context = browser.new_context(viewport={"width": 1440, "height": 1100}, accept_downloads=True)
        page = context.new_page()
        page.set_default_timeout(60_000)
        yield page
        context.close()
        browser.close()


def _settle(page) -> None:
    """Wait until the script run finished (no running indicator) and the page has drawn."""
    page.wait_for_selector('[data-testid="stApp"]')
    page.wait_for_function(
        "() => !document.querySelector('[data-testid=\"stStatusWidget\"]')"
        " || !document.querySelector('[data-testid=\"stStatusWidget\"]').innerText.includes('Running')"
    )
    page.wait_for_timeout(1200)


def test_overview_shows_chart_table_and_banner(browser_page, app_url: str, shots: Path) -> None:
    page = browser_page
    page.goto(app_url)
    page.wait_for_selector('[data-testid="stVegaLiteChart"] canvas, [data-testid="stVegaLiteChart"] svg')
    page.wait_for_selector('[data-testid="stDataFrame"]')
    _settle(page)
    assert "Demo data" in page.inner_text('[data-testid="stAlert"]')
    assert page.locator('[data-testid="stMetric"]').count() >= 6
    page.screenshot(path=str(shots / "overview.png"), full_page=True)


def test_csv_download_from_the_overview(browser_page, app_url: str, tmp_path: Path) -> None:
    page = browser_page
    page.goto(app_url)
    page.wait_for_selector('[data-testid="stDataFrame"]')
    _settle(page)
    with page.expect_download() as info:
        page.get_by_role("button", name="Download CSV of the filtered mentions").click()
    target = tmp_path / "overview.csv"
    info.value.save_as(target)
    rows = list(csv.reader(io.StringIO(target.read_text(encoding="utf-8"))))
    assert rows[0] == EXPORT_COLUMNS
    assert len(rows) > 10
    created = [r[EXPORT_COLUMNS.index("created_at")] for r in rows[1:]]
    assert created == sorted(created)


def test_every_page_renders(browser_page, app_url: str, shots: Path) -> None:
    page = browser_page
    page.goto(app_url)
    _settle(page)
    for title in PAGES:
        page.locator('[data-testid="stSidebarNav"]').get_by_text(title, exact=True).click()
        page.wait_for_selector(f'h1:has-text("{title}")')
        _settle(page)
        assert page.locator('[data-testid="stException"]').count() == 0, f"{title} raised an exception"
        if title != "Join the conversation":  # its screenshot is taken after recording a decision
            name = title.lower().replace(" ", "_")
            page.screenshot(path=str(shots / f"{name}.png"), full_page=True)


def test_record_a_decision(browser_page, app_url: str, data: Path, shots: Path) -> None:
    from storage.workflow import WorkflowStore

    page = browser_page
    page.goto(app_url + "/conversation")
    page.wait_for_selector('h1:has-text("Join the conversation")')
    page.wait_for_selector('[data-testid="stDataFrame"]')
    _settle(page)
    form = page.locator('[data-testid="stForm"]')
    form.get_by_role("textbox", name="Your name").fill("Browser Test")
    form.get_by_role("textbox", name="Rationale").fill("Answered publicly with the status page link.")
    form.get_by_role("button", name="Record decision").click()
    page.wait_for_selector('text=Recorded:')
    history = WorkflowStore(data).history()
    assert history and history[-1]["who"] == "Browser Test"
    assert history[-1]["rationale"] == "Answered publicly with the status page link."
    page.screenshot(path=str(shots / "join_the_conversation.png"), full_page=True)
