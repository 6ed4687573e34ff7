"""The fixed query set: about ten queries per class, drawn deterministically from the corpus vocabulary.

Document frequencies are counted over title + abstract + keywords on
Lectern's own prose analysis (stop words out, Porter stems), and every query
uses the most frequent surface form of its stem, so all three engines parse
the same plain word.  Classes:

* ``common``: the highest-df words (every 4th of the top 40);
* ``rare``: words with df 2..5 (six letters or more), ordered by a hash;
* ``and``: two frequent words from the title of one sampled paper;
* ``phrase``: frequent adjacent word pairs of abstracts (no stop word between);
* ``fielded``: ``title:`` a frequent title word, with a year range of 2..5 years around a sampled paper;
* ``prefix``: the first four letters of frequent words;
* ``fuzzy``: a mid-frequency word of 6..10 letters with one letter changed, ``~2``;
* ``highlight``: mid-frequency words, top 20 with a highlighted snippet each;
* ``related``: papers similar to ten sampled papers;
* ``common_all`` / ``and_all``: the common and AND queries asking for every hit (the GUI's table);
* ``title``: a sampled paper's title of 6+ words pasted as it is (Lectern ranks it; the baselines get an OR);
* ``sentence``: a sentence of 10-25 words from a sampled paper's abstract (likewise).
"""

from __future__ import annotations

import hashlib
import itertools
import json
import random
import re
from collections import Counter
from collections.abc import Sequence
from dataclasses import asdict, dataclass
from pathlib import Path

from desktop_app.search.analysis import prose_analyzer
from tests.benchmarks.docs import BenchDoc, text

SEED = 7
PER_CLASS = 10
PHRASE_SAMPLE_DOCS = 5000

CLASSES: dict[str, str] = {
    "common": "common term",
    "rare": "rare term",
    "and": "two-term AND",
    "phrase": "phrase",
    "fielded": "fielded + year range",
    "prefix": "prefix",
    "fuzzy": "fuzzy",
    "highlight": "top-20 + snippets",
    "related": "related papers",
    "common_all": "common term, all hits",
    "and_all": "two-term AND, all hits",
    "title": "pasted title (ranked)",
    "sentence": "abstract sentence (ranked)",
}
LECTERN_ONLY = frozenset({"common_all", "and_all"})
FTS_CLASSES = frozenset({"common", "rare", "and", "phrase", "fielded", "prefix", "highlight", "title", "sentence"})
OR_CLASSES = frozenset({"title", "sentence"})  # the baselines run these as an OR of the words

_ALPHA = re.compile(r"[a-z]+")
_TOKEN = re.compile(r"\w+")


@dataclass(frozen=True)
class BenchQuery:
    """One query in each engine's syntax; ``pid`` for related papers, ``years`` for the fielded class."""

    cls: str
    text: str
    whoosh: str
    fts: str | None
    years: tuple[int, int] | None = None
    pid: int | None = None


class _Vocabulary:
    def __init__(self, docs: Sequence[BenchDoc]) -> None:
        self._analyzer = prose_analyzer()
        self._stems: dict[str, str | None] = {}
        self.df: Counter[str] = Counter()
        self.title_df: Counter[str] = Counter()
        surfaces: dict[str, Counter[str]] = {}
        for doc in docs:
            words = _ALPHA.findall(f"{text(doc, 'title')} {text(doc, 'abstract')} {text(doc, 'keywords')}".lower())
            stems = set()
            for word in words:
                stem = self.stem(word)
                if stem:
                    stems.add(stem)
                    surfaces.setdefault(stem, Counter())[word] += 1
            self.df.update(stems)
            self.title_df.update({s for s in map(self.stem, _ALPHA.findall(text(doc, "title").lower())) if s})
        self.surface = {stem: counts.most_common(1)[0][0] for stem, counts in surfaces.items()}
        self.words = set().union(*surfaces.values()) if surfaces else set()
        self.ranked = [s for s, _ in sorted(self.df.items(), key=lambda kv: (-kv[1], kv[0]))
                       if len(self.surface[s]) >= 3]
        self.rank = {s: i for i, s in enumerate(self.ranked)}

    def stem(self, word: str) -> str | None:
        if word not in self._stems:
            tokens = [t.text for t in self._analyzer(word)]
            self._stems[word] = tokens[0] if len(tokens) == 1 else None
        return self._stems[word]


def _stable(word: str) -> str:
    return hashlib.sha1(word.encode()).hexdigest()


def _spread(items: Sequence[str], start: int, stop: int, n: int) -> list[str]:
    window = list(items[start:stop]) or list(items)
    if len(window) <= n:
        return window
    step = len(window) / n
    return [window[int(i * step)] for i in range(n)]


def _plain(cls: str, word: str) -> BenchQuery:
    return BenchQuery(cls, word, word, word if cls in FTS_CLASSES else None)


def build(docs: Sequence[BenchDoc], per_class: int = PER_CLASS, seed: int = SEED) -> list[BenchQuery]:
    """The query set for these documents (same documents, same queries)."""
    rng = random.Random(seed)
    vocab = _Vocabulary(docs)
    surface = vocab.surface
    queries: list[BenchQuery] = []

    common = [surface[s] for s in _spread(vocab.ranked, 0, 40, per_class)]
    queries += [_plain("common", w) for w in common]

    rare_pool = [s for s in vocab.ranked if 2 <= vocab.df[s] <= 5 and len(surface[s]) >= 6]
    if len(rare_pool) < per_class:
        rare_pool += [s for s in reversed(vocab.ranked) if s not in rare_pool]
    rare = sorted(rare_pool[:5000], key=lambda s: _stable(surface[s]))[:per_class]
    queries += [_plain("rare", surface[s]) for s in rare]

    pairs = _and_pairs(docs, vocab, rng, per_class)
    queries += [BenchQuery("and", f"{a} {b}", f"{a} {b}", f"{a} AND {b}") for a, b in pairs]

    for a, b in _phrases(docs, vocab, rng, per_class):
        queries.append(BenchQuery("phrase", f'"{a} {b}"', f'"{a} {b}"', f'"{a} {b}"'))

    queries += _fielded(docs, vocab, rng, per_class)

    prefixes: list[str] = []
    for stem in _spread([s for s in vocab.ranked if len(surface[s]) >= 5], 0, 300, per_class * 2):
        prefix = surface[stem][:4]
        if prefix not in prefixes:
            prefixes.append(prefix)
    queries += [BenchQuery("prefix", f"{p}*", f"{p}*", f"{p}*") for p in prefixes[:per_class]]

    fuzzy_pool = [s for s in vocab.ranked[50:3000] if 6 <= len(surface[s]) <= 10] or \
        [s for s in vocab.ranked if len(surface[s]) >= 4]
    for stem in sorted(rng.sample(fuzzy_pool, min(per_class, len(fuzzy_pool))), key=vocab.rank.__getitem__):
        typo = _typo(surface[stem], vocab.words)
        queries.append(BenchQuery("fuzzy", f"{typo}~2", f"{typo}~2", None))

    queries += [_plain("highlight", surface[s]) for s in _spread(vocab.ranked, 10, 210, per_class)]

    with_text = [d["pid"] for d in docs if len(text(d, "abstract")) > 200] or [d["pid"] for d in docs]
    for pid in sorted(rng.sample(with_text, min(per_class, len(with_text)))):
        queries.append(BenchQuery("related", f"related to paper {pid}", "", None, pid=pid))

    queries += [BenchQuery("common_all", q.text, q.whoosh, None) for q in queries if q.cls == "common"]
    queries += [BenchQuery("and_all", q.text, q.whoosh, None) for q in queries if q.cls == "and"]
    queries += _ranked_queries(docs, rng, per_class)
    return queries


def _fts_or(text_: str) -> str:
    return " OR ".join(f'"{w}"' for w in _TOKEN.findall(text_))


def _ranked_queries(docs: Sequence[BenchDoc], rng: random.Random, n: int) -> list[BenchQuery]:
    """Pasted titles (6+ words) and abstract sentences (10-25 words) of sampled papers."""
    titled = [d for d in docs if len(text(d, "title").split()) >= 6]
    out = [BenchQuery("title", t, t, _fts_or(t))
           for t in (text(d, "title") for d in rng.sample(titled, min(n, len(titled))))]
    sentences: list[str] = []
    with_abstract = [d for d in docs if len(text(d, "abstract").split()) >= 30]
    for doc in rng.sample(with_abstract, min(n * 3, len(with_abstract))):
        fitting = [s for s in re.split(r"(?<=[.!?])\s+", text(doc, "abstract")) if 10 <= len(s.split()) <= 25]
        if fitting and len(sentences) < n:
            sentences.append(rng.choice(fitting))
    out += [BenchQuery("sentence", s, s, _fts_or(s)) for s in sentences]
    return out


def _and_pairs(docs: Sequence[BenchDoc], vocab: _Vocabulary, rng: random.Random, n: int) -> list[tuple[str, str]]:
    pairs: list[tuple[str, str]] = []
    order = list(range(len(docs)))
    rng.shuffle(order)
    for limit in (2000, len(vocab.ranked) + 1):
        for i in order:
            stems = []
            for word in _ALPHA.findall(text(docs[i], "title").lower()):
                stem = vocab.stem(word)
                if stem and 10 <= vocab.rank.get(stem, 10**9) < limit and stem not in stems:
                    stems.append(stem)
            if len(stems) >= 2:
                a, b = rng.sample(stems, 2)
                pair = (vocab.surface[a], vocab.surface[b])
                if pair not in pairs and pair[::-1] not in pairs:
                    pairs.append(pair)
            if len(pairs) >= n:
                return pairs
    return pairs


def _phrases(docs: Sequence[BenchDoc], vocab: _Vocabulary, rng: random.Random, n: int) -> list[tuple[str, str]]:
    sample = rng.sample(list(docs), min(PHRASE_SAMPLE_DOCS, len(docs)))
    counts: Counter[tuple[str, str]] = Counter()
    for doc in sample:
        tokens = _TOKEN.findall(text(doc, "abstract").lower())
        for a, b in itertools.pairwise(tokens):
            if (len(a) >= 4 and len(b) >= 4 and a.isalpha() and b.isalpha()
                    and vocab.stem(a) and vocab.stem(b)):
                counts[(a, b)] += 1
    ranked = [pair for pair, _ in sorted(counts.items(), key=lambda kv: (-kv[1], kv[0]))]
    step = max(1, min(20, len(ranked) // max(n, 1)))
    return ranked[::step][:n]


def _fielded(docs: Sequence[BenchDoc], vocab: _Vocabulary, rng: random.Random, n: int) -> list[BenchQuery]:
    title_ranked = [s for s, _ in sorted(vocab.title_df.items(), key=lambda kv: (-kv[1], kv[0]))
                    if len(vocab.surface.get(s, "")) >= 3]
    years = [d["year"] for d in docs if d["year"]]
    out: list[BenchQuery] = []
    for stem in _spread(title_ranked, 0, 100, n):
        word = vocab.surface[stem]
        if not years:
            out.append(BenchQuery("fielded", f"title:{word}", f"title:{word}", f"title:{word}"))
            continue
        width = rng.randint(2, 5)
        start = rng.choice(years) - width // 2
        end = start + width
        out.append(BenchQuery(
            "fielded", f"title:{word} year:{start}..{end}", f"title:{word} year:[{start} TO {end}]",
            f"title:{word}", years=(start, end),
        ))
    return out


def _typo(word: str, known: set[str]) -> str:
    for offset in range(len(word) - 2):
        at = 2 + (len(word) // 2 - 2 + offset) % (len(word) - 2)
        for shift in range(1, 26):
            letter = chr((ord(word[at]) - 97 + shift) % 26 + 97)
            candidate = word[:at] + letter + word[at + 1:]
            if candidate not in known:
                return candidate
    return word


def save(queries: Sequence[BenchQuery], path: Path) -> None:
    path.write_text(json.dumps([asdict(q) for q in queries], indent=1), encoding="utf-8")


def load(path: Path) -> list[BenchQuery]:
    out = []
    for item in json.loads(path.read_text(encoding="utf-8")):
        years = tuple(item["years"]) if item.get("years") else None
        out.append(BenchQuery(item["cls"], item["text"], item["whoosh"], item["fts"], years, item.get("pid")))
    return out
