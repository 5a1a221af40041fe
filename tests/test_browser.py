"""The page flows in real Chromium against `python -m triage serve`: locked, attempt, unlocked, read;
triaging a day with filters, search and the compact view; unlocking a relevant paper from Today;
the radar's pages.

Screenshots of every page (desktop and 390 px phone width) are written to the test's tmp dir.
(The README's docs/today.png comes from scripts/readme_screenshot.py, over a real analysed slice.)
"""

from __future__ import annotations

import os
import re
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest

from tests.support.webapp import DAY
from tests.test_topics_page import many_topics
from triage.store import Store

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
# The first attempt after the server starts waits for the model's background load (15-60 s on a
# busy machine), so pages that log one wait longer than Playwright's 30 s default.
MODEL_WAIT_MS = 120_000


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


def shoot(page, tmp_path, name, full_page=True):
    page.screenshot(path=str(tmp_path / f"{name}.png"), full_page=full_page)
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= page.viewport_size["width"], f"{name}: horizontal overflow ({width}px)"


def test_locked_attempt_unlock_read(server, browser, tmp_path):
    page = browser.new_page(viewport={"width": 1280, "height": 900})
    page.set_default_timeout(MODEL_WAIT_MS)
    page.goto(server + "/")
    assert page.get_by_role("heading", name=f"Papers of {DAY}").is_visible()
    assert page.locator("p.locked").count() == 10 and page.locator(".abstract").count() == 0
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
    assert page.get_by_role("button", name="Unlock for attempt 1").count() == 0  # none left above the floor
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


def test_triage_a_day_at_a_glance(server, web_db, browser, tmp_path, runner):
    page = browser.new_page(viewport={"width": 1280, "height": 900})
    page.goto(server + "/")
    # The why is written on the card, not hidden in a tooltip.
    young = page.locator("li.paper.young").first
    why = young.locator(".why-line")
    assert why.is_visible() and "young topic, 3 months old" in why.inner_text()
    assert "rose from about zero in Oct 2025, popular since Dec 2025" in why.inner_text()
    shoot(page, tmp_path, "today-1280")

    # Filters and search are a GET form: the state lands in the URL.
    page.get_by_label("Topic age").select_option("young")
    page.get_by_role("button", name="Apply").click()
    page.wait_for_url(re.compile(r"age=young"))
    assert page.locator("li.paper").count() == 3
    assert page.get_by_text("Showing 3 of 10 papers").is_visible()
    page.get_by_role("link", name="Clear filters").click()
    page.get_by_label("Search titles and authors").fill("whisper")
    page.get_by_role("button", name="Apply").click()
    page.wait_for_url(re.compile(r"q=whisper"))
    assert page.locator("li.paper").count() == 1
    page.get_by_role("link", name="compact list").click()
    page.wait_for_url(re.compile(r"view=list"))
    assert "q=whisper" in page.url and page.locator("li.row").count() == 1
    page.get_by_label("Search titles and authors").fill("")
    page.get_by_role("button", name="Apply").click()  # the form keeps the view
    assert page.locator("li.row").count() == 10 and page.locator("li.paper").count() == 0
    row_height = page.locator("li.row").first.bounding_box()["height"]
    assert row_height < 50, f"a compact row is {row_height}px tall"
    shoot(page, tmp_path, "today-list-1280")

    # The same age on the topic page and in the CLI.
    page.goto(server + "/")
    young.locator(".why-line a.topic").click()
    page.wait_for_url(re.compile(r"/topics/1$"))
    assert "young topic, 3 months old" in page.locator(".why-line").inner_text()
    assert page.get_by_text("2.5%").first.is_visible()  # the y-axis
    shoot(page, tmp_path, "topic-1280")
    result = runner.invoke(runner.cli, ["--db", web_db, "topics"])
    assert re.search(r"HYPE\s+2025-12\s+3 months", result.output), result.output

    phone = browser.new_page(viewport={"width": 390, "height": 844}, device_scale_factor=2)
    phone.goto(server + "/")
    assert phone.locator("li.paper.young .why-line").first.is_visible()
    dark = browser.new_page(viewport={"width": 1280, "height": 900}, color_scheme="dark")
    dark.goto(server + "/")
    shoot(dark, tmp_path, "today-dark", full_page=False)
    for path, name in (("/", "today"), ("/?view=list", "today-list"), ("/topics/1", "topic")):
        phone.goto(server + path)
        shoot(phone, tmp_path, f"phone-{name}")


@pytest.fixture
def one_unlock_each(tmp_path):
    """The server's ./config.toml: an attempt unlocks one paper, so others that fit stay locked."""
    (tmp_path / "config.toml").write_text("[gate]\nunlock_per_attempt = 1\nmin_similarity = 0.2\n")


def test_unlock_a_relevant_paper_from_today(one_unlock_each, server, browser, tmp_path):
    page = browser.new_page(viewport={"width": 1280, "height": 900})
    page.set_default_timeout(MODEL_WAIT_MS)
    page.goto(server + "/attempts/new")
    page.get_by_label("The problem you are working on").fill("Reasoning models that think too long")
    page.get_by_label("What you tried").fill("A length penalty during RL post-training")
    page.get_by_label("Where exactly you are blocked").fill(
        "Post-training a reasoning model with reinforcement learning makes its chains of thought longer "
        "without making the answers more accurate; I need a curriculum or prompt method"
    )
    page.get_by_role("button", name="Log attempt and unlock").click()
    unlocked = page.locator("li.paper").count()
    page.goto(server + "/")
    assert unlocked == 1
    card = page.locator("li.paper").filter(has=page.get_by_role("button", name="Unlock for attempt 1")).first
    title = card.locator("h2").inner_text()
    card.get_by_role("button", name="Unlock for attempt 1").click()
    assert page.get_by_text("it is in your reading queue").is_visible()
    shoot(page, tmp_path, "today-after-unlock")
    page.get_by_role("link", name="Queue").first.click()
    assert page.locator("li.paper h2", has_text=title).is_visible()
    assert "unlocked by hand" in page.locator("li.paper", has_text=title).inner_text()
    page.goto(server + "/attempts/1")
    assert page.get_by_role("heading", name=f"Unlocked ({unlocked + 1})").is_visible()


def test_radar_is_paginated(server, web_db, browser, tmp_path):
    store = Store(web_db)
    seeded = [store.get_topic(1), store.get_topic(2)]
    store.replace_topics([*seeded, *many_topics(95)], {"2603.27226": 1, "2603.28050": 2})
    store.close()
    page = browser.new_page(viewport={"width": 1280, "height": 900})
    page.goto(server + "/topics")
    assert page.locator("li.radar-row").count() == 30 and page.get_by_text("page 1 of 4").is_visible()
    assert page.locator("li.radar-row").first.locator("a").inner_text() == "reasoning models, post-training"
    shoot(page, tmp_path, "radar-1280")
    page.get_by_role("link", name="next →").click()
    page.wait_for_url(re.compile(r"page=2"))
    assert page.get_by_text("page 2 of 4").is_visible()
    phone = browser.new_page(viewport={"width": 390, "height": 844}, device_scale_factor=2)
    phone.goto(server + "/topics")
    shoot(phone, tmp_path, "phone-radar")


def test_an_over_long_bottleneck_is_refused_with_the_form_kept(server, browser, tmp_path):
    page = browser.new_page(viewport={"width": 1280, "height": 900})
    page.goto(server + "/attempts/new")
    page.get_by_label("The problem you are working on").fill("Speech recognition on a small device")
    page.get_by_label("What you tried").fill("Fine-tuned all of Whisper")
    # A client that ignores the form's maxlength (or a paste into an old browser): the server decides.
    page.eval_on_selector_all("textarea", "els => els.forEach(e => e.removeAttribute('maxlength'))")
    long = "The encoder runs out of memory when fine-tuning on long recordings. " * 170
    page.get_by_label("Where exactly you are blocked").fill(long)
    page.get_by_role("button", name="Log attempt and unlock").click()
    assert "at most 2,000 are accepted" in page.get_by_role("alert").inner_text()
    assert page.get_by_label("What you tried").input_value() == "Fine-tuned all of Whisper"
    assert page.get_by_label("Where exactly you are blocked").input_value() == long
    shoot(page, tmp_path, "attempt-too-long")
