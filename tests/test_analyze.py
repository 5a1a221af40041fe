"""analyze: fills the links export reads, is incremental, relinks on --all, and says when the model changed."""

import dataclasses
import json

from triage.analyze import analyze
from triage.embed import Embedder


def test_analyze_fills_fundamentals(store, settings, three_papers):
    actor_critic, retrieval, bench = three_papers
    assert store.fundamentals_detail(three_papers) == dict.fromkeys(three_papers)  # not analysed yet
    report = analyze(store, settings, progress=False)
    assert (report.papers, report.analyzed, report.encoded) == (3, 3, 3)
    links = store.fundamentals_detail(three_papers)
    assert links[actor_critic][0][0] == "policy_gradient"
    assert links[retrieval][0][0] == "information_retrieval"
    assert links[bench] == []  # analysed, rests on none


def test_second_run_skips_unchanged_and_reencodes_only_edits(store, settings, three_papers):
    analyze(store, settings, progress=False)
    again = analyze(store, settings, progress=False)
    assert (again.analyzed, again.unchanged, again.encoded) == (0, 3, 0)

    edited = store.get_paper(three_papers[2])
    edited.abstract += " We also report the cost of running each model."
    edited.version = 2
    store.upsert_papers([edited])
    third = analyze(store, settings, progress=False)
    assert (third.analyzed, third.encoded) == (1, 1)


def test_all_relinks_everything_from_the_cache(store, settings, three_papers):
    analyze(store, settings, progress=False)
    report = analyze(store, settings, all=True, progress=False)
    assert (report.analyzed, report.encoded) == (3, 0)  # vectors are stored only when encoded


def test_model_change_reembeds_and_says_so(store, settings, three_papers, other_model_name):
    analyze(store, settings, progress=False)
    changed = dataclasses.replace(
        settings, embeddings=dataclasses.replace(settings.embeddings, model=other_model_name)
    )
    report = analyze(store, changed, progress=False)
    assert report.encoded == 3
    before, after = (Embedder(s.embeddings).model_name for s in (settings, changed))
    assert report.model_changes == [
        f"embedding model changed from {before} to {after}: re-embedding 3 papers"
    ]
    assert store.fundamentals_for([three_papers[0]])[three_papers[0]][0][0] == "policy_gradient"


def test_as_of_leaves_later_papers_alone(store, settings, three_papers):
    report = analyze(store, settings, as_of="2025-02-28", progress=False)
    assert (report.papers, report.analyzed) == (0, 0)


def test_cli_analyze_prints_counts(runner, store, three_papers):
    result = runner.invoke(runner.cli, ["analyze"])
    assert result.exit_code == 0, result.output
    assert "Analyzed 3 of 3 recent papers" in result.output
    assert "2 of 3 linked" in result.output
    bad = runner.invoke(runner.cli, ["analyze", "--as-of", "yesterday"])
    assert bad.exit_code == 2


def test_not_analysed_is_null_in_the_export_and_said_on_the_page(runner, store, settings, three_papers):
    """Before analyze a paper's fundamentals are unknown (null, 'not analysed'); after, [] means none."""
    from web import create_app

    def exported():
        result = runner.invoke(runner.cli, ["export"])
        assert result.exit_code == 0, result.output
        return {r["id"]: r["fundamentals"] for r in map(json.loads, result.output.splitlines())}

    def page():
        client = create_app({"SETTINGS": settings, "TESTING": True}).test_client()
        return client.get("/?day=2025-03-01").get_data(as_text=True)

    actor_critic, retrieval, bench = three_papers
    assert exported() == dict.fromkeys(three_papers)
    assert page().count("Not analysed yet") == 3

    analyze(store, settings, progress=False)
    after = exported()
    assert after[bench] == [] and after[actor_critic][0]["id"] == "policy_gradient"
    html = page()
    assert "Not analysed yet" not in html
    assert '<span class="chip-why">closeness ' in html  # each chip shows the evidence behind its link
