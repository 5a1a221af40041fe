"""The catalogue: every entry complete (with its usage texts), ids unique, every id DESIGN.md names present,
all old enough."""

from triage.fundamentals import background, catalogue, related_terms

DESIGN_IDS = """cross_entropy maximum_likelihood bayesian_inference svd_low_rank gradient_descent backpropagation
policy_gradient dynamic_programming td_learning expectation_maximization variational_inference monte_carlo
kernel_methods convolution recurrent_networks regularization generalization_theory state_space_models
k_means_clustering nearest_neighbors ensembles_boosting logistic_regression_softmax convex_optimization
second_order_optimization autoencoders associative_memory energy_based_models game_theory hypothesis_testing
bootstrap_resampling heuristic_search mdl_compression quantization_rate_distortion sparse_coding_lasso
gaussian_processes causal_inference ngram_language_models information_retrieval fourier_signal_processing""".split()


def test_every_design_id_is_present_once():
    ids = [f.id for f in catalogue()]
    assert len(ids) == len(set(ids))
    assert set(DESIGN_IDS) <= set(ids)


def test_every_entry_is_complete_and_old_enough():
    for f in catalogue():
        assert f.year <= 2001, f.id
        assert len(f.summary) > 150, f.id
        assert len(f.exercise) > 40, f.id
        assert len(f.terms) >= 3, f.id
        assert len(f.prototypes) >= 2, f.id
        assert len(f.usage) >= 3, f.id
        assert not set(f.broad) & set(f.terms), f.id
        assert not {t.lower() for t in f.related} & {t.lower() for t in f.terms + f.broad}, f.id
        assert f.references, f.id
        for r in f.references:
            assert r.authors and r.title and 1700 < r.year <= 2026, f.id
            assert r.link.startswith("https://"), (f.id, r.link)


def test_related_terms_name_only_catalogue_ideas():
    """A related-terms list under a misspelt id would silently never match."""
    assert set(related_terms()) == {f.id for f in catalogue()}


def test_background_describes_generic_papers():
    assert len(background()) >= 5
