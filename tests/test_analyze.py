"""analyze: fills the links export reads, is incremental, relinks on --all, and says when the model changed."""

import dataclasses

from triage.analyze import analyze


def test_analyze_fills_fundamentals(store, settings, three_papers):
    reinforce, lora, bench = three_papers
    report = analyze(store, settings, progress=False)
    assert (report.papers, report.analyzed, report.encoded) == (3, 3, 3)
    links = store.fundamentals_for(three_papers)
    assert links[reinforce][0][0] == "policy_gradient"
    assert links[lora][0][0] == "svd_low_rank"
    assert bench not in links


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
    cached = store.count_vectors()
    report = analyze(store, settings, all=True, progress=False)
    assert (report.analyzed, report.encoded) == (3, 0)
    assert store.count_vectors() == cached


def test_model_change_reembeds_and_says_so(store, settings, three_papers, other_model_name):
    analyze(store, settings, progress=False)
    changed = dataclasses.replace(
        settings, embeddings=dataclasses.replace(settings.embeddings, model=other_model_name)
    )
    report = analyze(store, changed, progress=False)
    assert report.encoded == 3
    assert report.model_changes == [
        f"embedding model changed from packaged to {other_model_name}: re-embedding 3 papers"
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
