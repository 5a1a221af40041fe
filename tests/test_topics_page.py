"""The topic radar (paginated, young topics first) and a topic's own page (full curve with a y-axis
in %, onset and as-of, the evidence in words with human source names, its earliest and recent papers)."""

from __future__ import annotations

import re

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.support.webapp import DAY
from triage import config
from triage.errors import UserError
from triage.store import Store


def many_topics(n: int, months: int = 72) -> list[dict]:
    """n topics with a monthly curve each; every fifth is young."""
    curve = [[f"{2020 + m // 12}-{m % 12 + 1:02d}", round(0.001 * (m % 7), 5)] for m in range(months)]
    return [
        {
            "id": 100 + i,
            "label": f"topic number {i}",
            "onset": "2025-12" if i % 5 == 0 else f"20{14 + i % 10}-03",
            "age_days": 120,
            "hype": i % 5 == 0,
            "active": True,
            "why": "Its share rose.",
            "curve": curve,
            "earliest": [],
            "size": 10,
            "as_of": DAY,
        }
        for i in range(n)
    ]


def test_radar_is_paginated_with_young_topics_first(client, app):
    Store(app.config["DATABASE"]).replace_topics(many_topics(900), {})
    first = client.get("/topics")
    html = first.get_data(as_text=True)
    assert first.status_code == 200 and len(first.data) < 200_000
    rows = re.findall(r'<li class="radar-row (\w+)">', html)
    assert len(rows) == 30 and set(rows) == {"young"}  # 180 young topics fill the first pages
    assert "page 1 of 30" in html and 'href="/topics?page=2"' in html
    assert html.count('<svg class="curve mini"') == 30
    seventh = client.get("/topics?page=7").get_data(as_text=True)
    assert re.findall(r'<li class="radar-row (\w+)">', seventh)[0] == "established"
    last = client.get("/topics?page=999").get_data(as_text=True)  # clamped to the last page
    assert "page 30 of 30" in last and 'href="/topics?page=29"' in last
    assert 'href="/topics/100"' in html


def test_topic_page_draws_the_whole_curve_with_axes_and_says_why(client, app):
    store = Store(app.config["DATABASE"])
    t = store.get_topic(1)
    t["why"] = (
        "Rose from about zero in 2025-10, popular (>= 0.25 of its peak share) since 2025-12, the month of "
        "most papers (hf-daily: 2025-12; 2404589803/hf-daily-paper-newsletter-chinese: 2025-12): "
        "3 months old at 2026-03-31, active now."
    )
    store.replace_topics([t], {"2603.27226": 1})
    html = client.get("/topics/1").get_data(as_text=True)
    assert (
        "<strong>young topic, 3 months old</strong> — rose from about zero in Oct 2025, popular since Dec 2025"
        in html
    )
    assert "Hugging Face Daily Papers: 2025-12" in html and "2404589803/" not in html
    ticks = re.findall(r'class="tick end">([0-9.]+%)</text>', html)
    # The peak, 2.1%, rounded up to a readable top, in round steps.
    assert ticks == ["0%", "0.5%", "1%", "1.5%", "2%", "2.5%"]
    assert 'class="onset"' in html and "onset Dec 2025" in html and "as of 2026-03-31" in html
    assert "Rethinking Easy-to-Hard" in html  # its earliest paper
    assert "Its papers in the unlock window (1)" in html


def test_topic_page_refuses_what_is_not_a_topic(client):
    assert client.get("/topics/999").status_code == 404
    assert client.get("/topics/" + "9" * 30).status_code == 404
    assert client.get("/topics/abc").status_code == 404


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(page=st.text(max_size=40))
def test_no_page_number_breaks_the_radar(client, page):
    assert client.get("/topics", query_string={"page": page}).status_code == 200


def test_source_names_come_from_config_as_a_table(tmp_path):
    path = tmp_path / "c.toml"
    path.write_text('[web]\nsource_names = { "cn" = "Chinese chat digest" }\n')
    assert config.load(path).web.source_names == {"cn": "Chinese chat digest"}
    path.write_text('[web]\nsource_names = "cn"\n')
    with pytest.raises(UserError, match=r"\[web\] source_names must be a table"):
        config.load(path)
    path.write_text("[web]\nsource_names = { cn = 3 }\n")
    with pytest.raises(UserError, match=r"source_names\.cn must be str"):
        config.load(path)
