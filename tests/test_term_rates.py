"""Term rates: each term of an idea learns how often readers listed the idea when a paper used it."""

import math

import numpy as np

from triage.link import fitted
from triage.term_rates import STRENGTH, TermRates, pair_keys


def labelled(pairs: list[tuple[tuple[str, ...], float]]):
    """One idea, one pair per paper: (the pair's keys, the share of readers who linked it)."""
    return [[keys] for keys, _ in pairs], np.array([[share] for _, share in pairs])


def test_a_term_readers_always_linked_outranks_one_they_rarely_did():
    sure, loose = pair_keys("pg", ["GRPO"], []), pair_keys("pg", [], ["reward"])
    keys, y = labelled([(sure, 1.0)] * 20 + [(loose, 0.0)] * 18 + [(loose, 1.0)] * 2 + [((), 0.0)] * 40)
    rates = TermRates.fit(keys, y)
    column = rates.column([[sure], [loose], [()]])[:, 0]
    assert column[0] > column[1] > column[2]
    assert math.isclose(rates.rate(sure[0]), (20 + STRENGTH * rates.prior["key"]) / (20 + STRENGTH))


def test_a_term_seen_in_two_papers_says_little_and_an_unseen_one_says_its_kinds_rate():
    rare, common = pair_keys("x", ["rare"], []), pair_keys("x", ["common"], [])
    keys, y = labelled([(rare, 1.0)] * 2 + [(common, 1.0)] * 10 + [(common, 0.0)] * 30)
    rates = TermRates.fit(keys, y)
    assert rates.prior["key"] < rates.rate(rare[0]) < 1.0  # pulled well below its 2 of 2
    assert rates.rate("x|key|never seen") == rates.prior["key"]


def test_a_pair_left_out_does_not_vouch_for_itself():
    """While fitting, a pair's own label must not raise its own feature: that would leak the target."""
    term = pair_keys("x", ["t"], [])
    keys, y = labelled([(term, 1.0)] + [(term, 0.0)] * 3)
    rates = TermRates.fit(keys, y)
    left_out = rates.column(keys, y)[:, 0]
    assert left_out[0] < left_out[1]  # the linked pair sees only the three unlinked ones
    assert left_out[0] < rates.column(keys)[0, 0]


def test_rates_survive_the_model_file():
    keys, y = labelled([(pair_keys("x", ["a"], ["b"]), 1.0), (pair_keys("x", [], ["b"]), 0.0), ((), 0.0)])
    for strength in (STRENGTH, 1.0):
        rates = TermRates.fit(keys, y, strength)
        again = TermRates.from_json(rates.to_json())
        assert again.strength == strength
        assert np.allclose(again.column(keys), rates.column(keys), atol=1e-4)


def test_a_weaker_shrinkage_lets_a_terms_own_papers_speak_louder():
    """`strength` pseudo-pairs pull a rate towards its kind's: fewer, and two papers of two move it more."""
    rare, common = pair_keys("x", ["rare"], []), pair_keys("x", ["common"], [])
    keys, y = labelled([(rare, 1.0)] * 2 + [(common, 0.0)] * 30)
    assert TermRates.fit(keys, y, 1.0).rate(rare[0]) > TermRates.fit(keys, y, 20.0).rate(rare[0])


def test_each_kind_of_term_unseen_by_labels_says_its_own_kinds_rate():
    keys, y = labelled(
        [(pair_keys("x", ["k"], [], []), 1.0)] * 3
        + [(pair_keys("x", [], [], ["loose"]), 0.0)] * 9
        + [(pair_keys("x", [], [], ["loose"]), 1.0)]
    )
    rates = TermRates.fit(keys, y)
    assert rates.prior["related"] == 0.1 and rates.prior["key"] == 1.0
    assert rates.rate("x|related|never seen") == 0.1


def test_the_shipped_rates_discount_a_related_term_papers_write_without_the_idea():
    """Related terms were written blind; the labels decide what each is worth: "verifiable rewards"
    usually means policy gradients, "diffusion models" seldom means energy-based models."""
    rates = TermRates.from_json(fitted()["term_rates"])
    sure = rates.rate("policy_gradient|related|verifiable rewards")
    loose = rates.rate("energy_based_models|related|diffusion models")
    assert loose < rates.prior["related"] < sure


def test_the_shipped_rates_trust_a_method_name_over_the_broad_word_it_comes_with():
    """Learned from the readers' labels: GRPO nearly always means policy gradients, the word
    "retrieval" seldom means a paper rests on information retrieval."""
    rates = TermRates.from_json(fitted()["term_rates"])
    assert rates.rate("policy_gradient|key|GRPO") > rates.rate("policy_gradient|broad|reinforcement learning")
    assert rates.rate("information_retrieval|broad|retrieval") < 0.5 < rates.rate("policy_gradient|key|GRPO")
