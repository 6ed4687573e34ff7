"""The Qt-free review logic: metrics as the corpus README defines them, keyword spans, the
stopping estimate, the ranker's learning and tie-breaking, and a screening session."""

from __future__ import annotations

import numpy as np
import pytest

from desktop_app.core.library import Library
from desktop_app.core.screening import ScreeningSession
from desktop_app.domain.models import Paper
from desktop_app.review.keywords import keyword_spans
from desktop_app.review.metrics import RunMetrics, recall_at, records_to_recall, wss
from desktop_app.review.ranker import (
    RELEVANT_WEIGHT_RATIO,
    Ranker,
    Recipe,
    _double_weights,
    _relevant_heavy_weights,
    build_features,
    recipe_named,
    retrain_due,
)
from desktop_app.review.stopping import progress


def test_metrics_follow_the_readme_definitions() -> None:
    # N = 20, R = 4; relevant at screening positions 1, 2, 5 and 16
    labels = [1, 1, 0, 0, 1] + [0] * 10 + [1] + [0] * 4
    assert records_to_recall(labels, 0.95) == 16  # ceil(0.95 * 4) = 4 -> the 4th relevant
    assert records_to_recall(labels, 0.5) == 2
    assert wss(labels, 0.95) == pytest.approx(100 * ((20 - 16) / 20 - 0.05))
    assert wss(labels, 1.0) == pytest.approx(100 * (20 - 16) / 20)
    assert recall_at(labels, 0.10) == pytest.approx(50.0)  # first floor(2.0) = 2 records: 2 of 4
    assert recall_at(labels, 0.25) == pytest.approx(75.0)  # first 5: 3 of 4
    metrics = RunMetrics.of(labels)
    assert (metrics.records95, metrics.records100) == (16, 16)
    with pytest.raises(ValueError):
        wss([0, 0, 0], 0.95)


def test_keyword_spans_two_kinds_prefixes_and_overlaps() -> None:
    text = "Randomised zinc trial; not a case report of zinc-treated rats."
    spans = keyword_spans(text, ["zinc", "random*"], ["case report", "rat*"])
    found = [(text[s.start:s.end], s.kind) for s in spans]
    assert found == [("Randomised", "include"), ("zinc", "include"), ("case report", "exclude"),
                     ("zinc", "include"), ("rats", "exclude")]
    assert keyword_spans("trial", ["", "*"], []) == []


def test_stopping_counts_the_run_since_the_last_relevant() -> None:
    p = progress([True, False, True] + [False] * 7, remaining=90, stop_after=5)
    assert (p.screened, p.relevant_found, p.since_last_relevant) == (10, 2, 7)
    assert p.stop_reached and p.remaining == 90
    assert 0 < p.estimated_relevant_left < 90
    assert not progress([True], remaining=5, stop_after=0).stop_reached


def test_the_ranker_learns_and_ties_do_not_follow_row_order() -> None:
    texts = ["zinc chelation therapy trial"] * 3 + ["galaxy survey telescope"] * 3 + ["soil bacteria"] * 4
    ranker = Ranker.for_texts(texts, seed=1)
    ranking = ranker.ranking([0, 3], [1, 0])
    assert set(ranking[:2]) == {1, 2}  # the two like the relevant prior come first
    assert set(ranking) == set(range(10)) - {0, 3}
    orders = {tuple(Ranker.for_texts(texts, model="random", seed=s).ranking([0, 3], [1, 0])) for s in range(5)}
    assert len(orders) > 1  # random mode, and ties in general, depend on the seed, not on rows
    assert Ranker.for_texts(texts, model="nb").ranking([0, 3], [1, 0])[:2] in ([1, 2], [2, 1])
    with pytest.raises(ValueError):
        Ranker.for_texts(texts, model="deep")


@pytest.mark.parametrize("recipe", [Recipe.of(("svm", "words")), Recipe.of(("nb", "unigrams", "double")),
                                    Recipe.of(("lr", "words")), Recipe.of(("svm", "words"), ("nb", "words+chars")),
                                    Recipe.of(("svm", "chars", "balanced")), recipe_named("svm")])
def test_every_recipe_learns_from_two_decisions(recipe: Recipe) -> None:
    texts = ["zinc chelation therapy trial"] * 3 + ["galaxy survey telescope"] * 3 + ["soil bacteria"] * 4
    ranking = Ranker.for_texts(texts, recipe, seed=2).ranking([0, 3], [1, 0])
    assert set(ranking[:2]) == {1, 2} and set(ranking) == set(range(10)) - {0, 3}


def test_recipes_are_checked_and_double_balance_lifts_the_rare_class() -> None:
    for bad in ((("svm", "pixels"),), (), (("deep", "words"),), (("svm", "words", "none"),)):
        with pytest.raises(ValueError):
            Recipe.of(*bad)
    labels = np.array([1, 1] + [0] * 98)
    weights = _double_weights(labels)
    assert weights.sum() == pytest.approx(100)  # as many (weighted) records as were screened
    assert weights[0] > 10 * weights[-1]  # ASReview's a * (2 / 98) ** -0.94 = 83 times


def test_relevant_heavy_weights_give_the_relevant_class_ten_times_the_weight() -> None:
    labels = np.array([1, 1, 1] + [0] * 47)
    weights = _relevant_heavy_weights(labels)
    assert weights.sum() == pytest.approx(50)
    relevant, irrelevant = weights[labels == 1].sum(), weights[labels == 0].sum()
    assert relevant / irrelevant == pytest.approx(RELEVANT_WEIGHT_RATIO)
    assert len(set(weights[labels == 0].round(12))) == 1  # every irrelevant record alike


def test_default_recipe_averages_two_views_and_chars_alone_are_a_view() -> None:
    assert [(m.features, m.balance) for m in recipe_named("svm").members] == [
        ("words", "relevant-heavy"), ("words+chars", "relevant-heavy")]
    texts = ["chelation", "chelating agents", "galaxy"]
    chars = build_features(texts, "chars")
    similarity = (chars @ chars.T).toarray()
    assert similarity[0, 1] > 0.2 and similarity[0, 2] == pytest.approx(0.0)  # shared 'chelat' n-grams
    assert (build_features(texts, "words") @ build_features(texts, "words").T).toarray()[0, 1] == 0


def test_retraining_is_per_decision_first_then_per_percent() -> None:
    assert retrain_due(10, 9) and retrain_due(500, 499)
    assert not retrain_due(1000, 995) and retrain_due(1000, 990)


def test_a_session_keeps_the_shown_record_until_it_is_decided(library: Library) -> None:
    papers = [Paper(title=f"Zinc trial {i}" if i % 2 else f"Galaxy survey {i}", abstract="x") for i in range(12)]
    library.import_papers(papers)
    library.create_list("L")
    library.add_to_list("L", library.all_ids())
    library.reviews.create("R")
    library.reviews.add_from_list("R", "L")
    library.reviews.set_reviewer("Ada")
    session = ScreeningSession(library, "R")
    session.prepare()
    shown = session.current()
    assert shown is not None
    generation, ranking = session.retrain(session.snapshot())
    session.apply_ranking(generation, list(reversed(ranking)))
    assert session.current() == shown
    session.decide("include")
    after = session.current()
    assert after is not None and after != shown
    session.decide("exclude")
    undone = session.undo()
    assert undone is not None and session.current() == after
    assert session.progress().screened == 1
    again = ScreeningSession(library, "R")  # decisions survive a new session
    assert again.progress().screened == 1 and again.progress().relevant_found == 1


def test_starting_the_cli_or_the_window_does_not_load_the_ranker() -> None:
    import subprocess
    import sys

    code = ("import sys, desktop_app.cli, desktop_app.gui.window; "
            "print(sorted(m for m in ('sklearn', 'scipy', 'numpy') if m in sys.modules))")
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120,
                            env={"QT_QPA_PLATFORM": "offscreen", "PATH": "/usr/bin:/bin"})
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "[]"
