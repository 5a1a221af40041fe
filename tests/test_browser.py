"""The page flow in real Chromium against `python -m triage serve`: locked, attempt, unlocked, read.

Screenshots of every page (desktop and 390 px phone width) are written to the test's tmp dir.
"""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest

from tests.support.webapp import DAY

pytestmark = pytest.mark.browser

CHROMIUM = "/usr/bin/chromium"
ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
ROOT = Path(__file__).resolve().parents[1]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture
def server(web_db, tmp_path):
    port = free_port()
    env = {
        **os.environ,
        "TRIAGE_DB": web_db,
        "HF_HUB_OFFLINE": "1",
        "PYTHONPATH": str(ROOT),
    }
    env.pop("TRIAGE_WEB_PASSWORD", None)
    env.pop("TRIAGE_CONFIG", None)
    log = open(tmp_path / "serve.log", "w")
    proc = subprocess.Popen(
        [sys.executable, "-m", "triage", "serve", "--port", str(port), "--no-schedule"],
        cwd=tmp_path,
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        try:
            socket.create_connection(("127.0.0.1", port), timeout=0.5).close()
            break
        except OSError:
            assert proc.poll() is None, (tmp_path / "serve.log").read_text()
            time.sleep(0.2)
    yield f"http://127.0.0.1:{port}"
    proc.terminate()
    proc.wait(timeout=10)
    log.close()


@pytest.fixture
def browser():
    if not Path(CHROMIUM).exists():
        pytest.skip("Debian's /usr/bin/chromium is not installed")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=CHROMIUM, args=ARGS, headless=True)
        yield b
        b.close()


def shoot(page, tmp_path, name):
    page.screenshot(path=str(tmp_path / f"{name}.png"), full_page=True)
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= page.viewport_size["width"], f"{name}: horizontal overflow ({width}px)"


def test_locked_attempt_unlock_read(server, browser, tmp_path):
    page = browser.new_page(viewport={"width": 1280, "height": 900})
    page.goto(server + "/")
    assert page.get_by_role("heading", name=f"Papers of {DAY}").is_visible()
    assert page.locator(".locked").count() == 10 and page.locator(".abstract").count() == 0
    shoot(page, tmp_path, "today-locked")

    page.get_by_role("link", name="Log attempt").first.click()
    page.get_by_label("The problem you are working on").fill("Speech recognition on a small device")
    page.get_by_label("What you tried").fill("Fine-tuned all of Whisper")
    page.get_by_label("Where exactly you are blocked").fill("stuck")
    page.get_by_role("button", name="Log attempt and unlock").click()
    # The browser's own minlength check stops the vague bottleneck before it is even sent.
    assert page.url.endswith("/attempts/new")
    page.get_by_label("Where exactly you are blocked").fill("stuck " * 8)
    page.get_by_role("button", name="Log attempt and unlock").click()
    assert "too vague" in page.get_by_role("alert").inner_text()
    assert page.get_by_label("What you tried").input_value() == "Fine-tuned all of Whisper"
    shoot(page, tmp_path, "attempt-refused")
    page.get_by_label("Where exactly you are blocked").fill(
        "Full fine-tuning of the Whisper encoder runs out of GPU memory; "
        "I need a parameter-efficient method such as low-rank adapters"
    )
    page.get_by_role("button", name="Log attempt and unlock").click()
    assert page.get_by_role("heading", name="Attempt 1").is_visible()
    # Only the one paper held that is close to the bottleneck unlocks; the other 11 would be noise.
    assert page.get_by_role("heading", name="Unlocked (1)").is_visible()
    shoot(page, tmp_path, "attempt-result")

    page.get_by_role("link", name="Queue").first.click()
    papers = page.locator("li.paper")
    assert papers.count() == 1 and page.locator(".abstract").count() == 1
    assert "Pruning Whisper" in papers.first.locator("h2").inner_text()
    shoot(page, tmp_path, "queue")
    papers.first.get_by_label("What I learned").fill("LoRA on the decoder only fits in 8 GB")
    papers.first.get_by_label("This unblocked me").check()
    papers.first.get_by_role("button", name="Mark read").click()
    assert page.get_by_text("Marked 2603.27981 read.").is_visible()
    assert page.locator("li.paper").count() == 0
    page.get_by_role("link", name="read", exact=True).click()
    assert page.get_by_text("this unblocked me").is_visible()

    page.goto(server + "/")
    assert page.locator(".abstract").count() >= 1 and page.locator(".badge.rel").count() >= 1
    shoot(page, tmp_path, "today-unlocked")
    for path, name in (("/topics", "topics"), ("/fundamentals", "fundamentals")):
        page.goto(server + path)
        shoot(page, tmp_path, name)

    phone = browser.new_page(viewport={"width": 390, "height": 844}, device_scale_factor=2)
    for path, name in (
        ("/", "today"),
        ("/queue?state=all", "queue"),
        ("/attempts/new", "attempt-form"),
        ("/topics", "topics"),
    ):
        phone.goto(server + path)
        shoot(phone, tmp_path, f"phone-{name}")
