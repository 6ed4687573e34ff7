"""The benchmark corpus: which files to import, and how to grow it to N papers.

Growing (``--scale N``): the corpus's records are read (JSON paper records as
they are; any other importable file through Lectern's own importer, turned
into records), then repeated until there are N.  Copy ``k`` of a record gets:

* its title changed like a real follow-up paper: one or two content words
  swapped for title words of other papers (capitalisation kept), or a
  qualifier appended when no word can be swapped; titles stay unique after
  Lectern's normalisation, so no copy merges by title + first author + year;
* its author list rotated by ``k`` (a different first author, same group);
* its year moved by -3..+3 (within 1987..2025) in the embedded BibTeX;
* its DOI (record key or embedded BibTeX) and arXiv id changed to fresh,
  well-formed ones, so no copy merges by identifier;
* its abstract's sentences rotated and about 4 % of its words replaced by
  words drawn from other abstracts (by occurrence, so word frequencies keep
  their shape and more-like-this does not simply find the clones).

The grown records are written as JSON record files (5,000 per file) in a
work folder and imported through ``Library.import_files`` like any corpus.
"""

from __future__ import annotations

import json
import random
import re
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from desktop_app.core import importing
from desktop_app.domain.models import Paper
from desktop_app.domain.text import normalise_title
from desktop_app.formats import paper_records

RECORDS_PER_FILE = 5000
SEED = 20240607
ABSTRACT_SWAP = 0.04
QUALIFIERS = (
    ": A Closer Look", " Revisited", " at Scale", ": Theory and Practice", " in the Wild",
    ": An Empirical Study", " with Fewer Labels", " for Long Documents",
)
_WORD = re.compile(r"[A-Za-z]{4,}")
_SENTENCE = re.compile(r"(?<=[.!?])\s+(?=[A-Z])")
_BIB_YEAR = re.compile(r"(\byear\s*=\s*[{\"]?)(\d{4})", re.I)
_BIB_DOI = re.compile(r"(\bdoi\s*=\s*[{\"])([^}\"]+)", re.I)
_LAST_NUMBER = re.compile(r"(\d+)(?=\D*$)")
_TITLE_STOP = frozenset(
    "a an and are as at be by for from how in into is of on or the to toward towards under via with"
    " without".split()
)


@dataclass(frozen=True)
class CorpusInfo:
    files: list[Path]
    source: str
    records: int
    grown: bool
    how: str


def importable_files(corpus_dir: Path) -> list[Path]:
    """Every regular, non-hidden file under ``corpus_dir``, in a stable order."""
    return sorted(
        p for p in corpus_dir.rglob("*")
        if p.is_file() and not any(part.startswith(".") for part in p.relative_to(corpus_dir).parts)
    )


def paper_to_record(paper: Paper) -> dict[str, Any]:
    """A paper from any importer as a JSON paper record (the shape ``paper_records`` reads)."""
    fields = [f"year = {{{paper.year}}}"] if paper.year else []
    if paper.venue:
        fields.append(f"booktitle = {{{paper.venue}}}")
    if paper.doi:
        fields.append(f"doi = {{{paper.doi}}}")
    bibtex = f"@{paper.entry_type or 'misc'}{{bench,\n " + ",\n ".join(fields) + "\n}" if fields else ""
    return {
        "title": paper.title,
        "author": ";".join(a.display_name for a in paper.authors),
        "abstract": paper.abstract,
        "keywords": ";".join(paper.keywords),
        "arxiv": paper.arxiv_id,
        "bibtex": bibtex,
    }


def load_records(files: Sequence[Path]) -> list[dict[str, Any]]:
    """The corpus as paper records: JSON record lists verbatim, anything else through the importer."""
    records: list[dict[str, Any]] = []
    for path in files:
        try:
            text = path.read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError):
            text = ""
        if text and paper_records.sniff(text):
            data = json.loads(text)
            items = data if isinstance(data, list) else list(data.values())
            records.extend(r for r in items if isinstance(r, dict) and r.get("title"))
            continue
        report, _problem = importing.read_file(path)
        if report is not None:
            records.extend(paper_to_record(p) for p in report.papers if p.title)
    return records


class _Grower:
    """Makes perturbed copies of records (see the module docstring); deterministic for a seed."""

    def __init__(self, records: Sequence[dict[str, Any]], seed: int) -> None:
        self.rng = random.Random(seed)
        self.title_words = sorted({
            w for r in records for w in _WORD.findall(str(r.get("title", "")))
            if w.lower() not in _TITLE_STOP
        }) or ["Study"]
        pool: list[str] = []
        for r in records:
            pool.extend(_WORD.findall(str(r.get("abstract", "")))[:60])
            if len(pool) > 400_000:
                break
        self.abstract_words = pool or ["method"]
        self.seen_titles = {normalise_title(str(r.get("title", ""))) for r in records}
        self.seen_ids = {str(r.get("arxiv", "")) for r in records if r.get("arxiv")}
        self.serial = 0

    def copy(self, record: dict[str, Any], k: int) -> dict[str, Any]:
        new = dict(record)
        year = self._year(record)
        new["title"] = self._title(str(record.get("title", "")))
        new["author"] = self._authors(str(record.get("author", "")), k)
        new["abstract"] = self._abstract(str(record.get("abstract", "")), k)
        if record.get("doi"):
            new["doi"] = self._doi(str(record["doi"]), k)
        if record.get("arxiv"):
            new["arxiv"] = self._arxiv(year)
        bib = str(record.get("bibtex", "") or "")
        if bib:
            if year is not None:
                bib = _BIB_YEAR.sub(lambda m: m.group(1) + str(year), bib, count=1)
            bib = _BIB_DOI.sub(lambda m: m.group(1) + self._doi(m.group(2), k), bib, count=1)
            new["bibtex"] = bib
        for key in ("id", "site"):
            if isinstance(new.get(key), str) and new[key]:
                new[key] = f"{new[key]}#copy{k}"
        return new

    def _year(self, record: dict[str, Any]) -> int | None:
        match = _BIB_YEAR.search(str(record.get("bibtex", "") or ""))
        if match is None:
            return None
        shift = self.rng.choice((-3, -2, -1, 1, 2, 3))
        return min(2025, max(1987, int(match.group(2)) + shift))

    def _title(self, title: str) -> str:
        for _attempt in range(8):
            words = title.split(" ")
            slots = [i for i, w in enumerate(words) if _WORD.fullmatch(w) and w.lower() not in _TITLE_STOP]
            if slots:
                for i in self.rng.sample(slots, min(len(slots), self.rng.choice((1, 1, 2)))):
                    repl = self.rng.choice(self.title_words)
                    words[i] = repl.capitalize() if words[i][:1].isupper() else repl.lower()
                candidate = " ".join(words)
            else:
                candidate = title + self.rng.choice(QUALIFIERS)
            key = normalise_title(candidate)
            if key not in self.seen_titles:
                self.seen_titles.add(key)
                return candidate
        self.serial += 1
        return f"{title} (Part {self.serial})"

    @staticmethod
    def _authors(authors: str, k: int) -> str:
        names = [a for a in authors.split(";") if a.strip()]
        if len(names) < 2:
            return authors
        shift = k % len(names)
        return ";".join(names[shift:] + names[:shift])

    def _abstract(self, abstract: str, k: int) -> str:
        if not abstract:
            return abstract
        sentences = _SENTENCE.split(abstract)
        shift = k % len(sentences)
        text = " ".join(sentences[shift:] + sentences[:shift])

        def swap(match: re.Match[str]) -> str:
            if self.rng.random() >= ABSTRACT_SWAP:
                return match.group(0)
            return self.rng.choice(self.abstract_words).lower()

        return _WORD.sub(swap, text)

    @staticmethod
    def _doi(doi: str, k: int) -> str:
        if _LAST_NUMBER.search(doi):
            return _LAST_NUMBER.sub(lambda m: str(int(m.group(1)) + 100_000 * k), doi, count=1)
        return f"{doi}.{k}"

    def _arxiv(self, year: int | None) -> str:
        yy = (year or 2020) % 100 if (year or 2020) >= 2008 else 20
        while True:
            self.serial += 1
            month = 1 + (self.serial // 90_000) % 12
            candidate = f"{yy:02d}{month:02d}.{10_000 + self.serial % 90_000:05d}"
            if candidate not in self.seen_ids:
                self.seen_ids.add(candidate)
                return candidate


def grow(records: Sequence[dict[str, Any]], n: int, seed: int = SEED) -> Iterator[dict[str, Any]]:
    """``n`` records: the originals first, then perturbed copies round after round."""
    if not records:
        return
    yield from records[:n]
    grower = _Grower(records, seed)
    made = min(n, len(records))
    k = 1
    while made < n:
        for record in records:
            if made >= n:
                break
            yield grower.copy(record, k)
            made += 1
        k += 1


def write_records(records: Iterator[dict[str, Any]], out_dir: Path) -> list[Path]:
    out_dir.mkdir(parents=True, exist_ok=True)
    files: list[Path] = []
    chunk: list[dict[str, Any]] = []

    def flush() -> None:
        path = out_dir / f"grown-{len(files) + 1:04d}.json"
        path.write_text(json.dumps(chunk, ensure_ascii=False), encoding="utf-8")
        files.append(path)
        chunk.clear()

    for record in records:
        chunk.append(record)
        if len(chunk) >= RECORDS_PER_FILE:
            flush()
    if chunk:
        flush()
    return files


def prepare(corpus_dir: Path, scale: int | None, work_dir: Path) -> CorpusInfo:
    """The files Lectern imports: the corpus as it is, or grown to ``scale`` records in ``work_dir``."""
    files = importable_files(corpus_dir)
    if not files:
        raise SystemExit(f"no files under {corpus_dir}")
    if scale is None:
        return CorpusInfo(files, str(corpus_dir), 0, False, "the corpus files as they are")
    records = load_records(files)
    if not records:
        raise SystemExit(f"no paper records could be read from {corpus_dir}")
    grown_files = write_records(grow(records, scale), work_dir / "grown-corpus")
    how = (f"{len(records)} records repeated to {scale} (perturbed titles, rotated authors, "
           f"years -3..+3, fresh DOIs/arXiv ids, abstracts rotated with {ABSTRACT_SWAP:.0%} words "
           f"swapped), written as JSON record files")
    return CorpusInfo(grown_files, str(corpus_dir), scale, True, how)
