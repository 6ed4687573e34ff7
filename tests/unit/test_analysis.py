"""The fused prose analyzer yields exactly what Whoosh's five-stage chain yields."""

from __future__ import annotations

import json
import pickle

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from desktop_app.search.analysis import ProseAnalyzer, reference_prose_analyzer

OPTIONS = [
    {},
    {"positions": True},
    {"positions": True, "chars": True},
    {"positions": True, "chars": True, "removestops": False},
    {"mode": "query"},
    {"tokenize": False},
    {"tokenize": False, "no_morph": True},
    {"no_morph": True, "positions": True},
    {"positions": True, "start_pos": 7, "chars": True, "start_char": 100, "keeporiginal": True},
]


def _stream(analyzer: object, text: str, options: dict[str, object]) -> list[tuple[object, ...]]:
    out = []
    for token in analyzer(text, **options):  # type: ignore[operator]
        out.append((token.text, token.stopped, getattr(token, "pos", None), getattr(token, "startchar", None),
                    getattr(token, "endchar", None), getattr(token, "original", None), token.boost))
    return out


@pytest.mark.parametrize("options", OPTIONS)
def test_same_tokens_as_the_whoosh_chain_on_real_abstracts(corpus, options: dict[str, object]) -> None:
    records = json.loads((corpus / "paperlists" / "iclr" / "iclr2018.json").read_text(encoding="utf-8"))
    texts = [r.get("abstract", "") + " " + r.get("title", "") for r in records[:150]]
    texts += ["Düsseldorf Ørsted naïve café", "The need for SPEED: it's C++ and GPT-4.5's", "", "the of and"]
    fused, reference = ProseAnalyzer(), reference_prose_analyzer()
    for text in texts:
        assert _stream(fused, text, options) == _stream(reference, text, options), text


@settings(max_examples=300, deadline=None)
@given(st.text(alphabet=st.characters(codec="utf-8", exclude_categories=("Cs",)), max_size=80),
       st.sampled_from(OPTIONS))
def test_same_tokens_on_any_text(text: str, options: dict[str, object]) -> None:
    assert _stream(ProseAnalyzer(), text, options) == _stream(reference_prose_analyzer(), text, options)


def test_pickles_without_its_cache() -> None:
    analyzer = ProseAnalyzer()
    list(analyzer("running networks"))
    clone = pickle.loads(pickle.dumps(analyzer))
    assert clone == analyzer and clone._stems == {}
    expected = [t.text for t in reference_prose_analyzer()("running networks")]
    assert [t.text for t in clone("running networks")] == expected == ["runn", "network"]


@settings(max_examples=300, deadline=None)
@given(st.text(alphabet=st.characters(codec="utf-8", exclude_categories=("Cs",)), max_size=80))
def test_index_terms_are_the_indexing_tokens(text: str) -> None:
    terms, first = ProseAnalyzer().index_terms(text)
    tokens = [(t.text, t.pos) for t in reference_prose_analyzer()(text, positions=True)]
    assert [(term, first + i) for i, term in enumerate(terms)] == tokens


def test_index_terms_skip_leading_stop_words() -> None:
    assert ProseAnalyzer().index_terms("The of networks running") == (["network", "runn"], 2)
