"""Fixtures in the services' real formats that answer the 108 titles of the Daily Papers page.

Deterministic: every value derives from the title's position on the page and a fixed
seed, so the same page always gives the same arXiv ids, authors, dates, venues and DOIs.
About a third of the papers have a published version (Semantic Scholar knows its venue and
DOI; Crossref has the DOI's record, some a year after the preprint).  Write them out with

    python -m tests.fakeapi.seed OUTDIR

(one arXiv feed, HF search answer, S2 record and Crossref work per paper, each in its
service's wire style: compact JSON for HF and Crossref with Crossref's escaped slashes, S2's
``json.dumps`` spacing).
"""

from __future__ import annotations

import json
import random
import sys
from dataclasses import dataclass, field
from pathlib import Path
from xml.sax.saxutils import escape, quoteattr

from desktop_app.formats import hf_page
from desktop_app.metadata.matching import normalised

GIVEN = ["Wei", "Yuki", "Anna", "Lukas", "Priya", "Mateo", "Chloé", "Jonas", "Aisha", "Dmitri", "Sofia",
         "Hiroshi", "Fatima", "Oliver", "Mei", "Rahul", "Ingrid", "Tomás", "Nadia", "Kwame"]
FAMILY = ["Zhou", "Tanaka", "Müller", "García", "Nguyen", "Kowalski", "Okafor", "Johansson", "Patel",
          "Rossi", "Kim", "Schneider", "van der Berg", "Dubois", "Ivanova", "Silva", "Haddad", "Novák",
          "Chen", "O'Brien", "Larsen", "Yamamoto", "Singh", "Costa", "Fischer", "Ahmed", "Lindqvist"]
VENUES = [("Advances in Neural Information Processing Systems", "Conference", "proceedings-article"),
          ("International Conference on Learning Representations", "Conference", "proceedings-article"),
          ("Transactions on Machine Learning Research", "JournalArticle", "journal-article"),
          ("Journal of Machine Learning Research", "JournalArticle", "journal-article"),
          ("Proceedings of the AAAI Conference on Artificial Intelligence", "Conference", "proceedings-article")]
CATEGORIES = ["cs.CL", "cs.LG", "cs.CV", "cs.AI"]


@dataclass
class SeedPaper:
    index: int
    title: str
    abstract: str
    arxiv_id: str
    authors: list[tuple[str, str]]  # (given, family)
    year: int
    month: int
    day: int
    category: str
    venue: str = ""
    venue_kind: str = ""
    crossref_type: str = ""
    doi: str = ""
    published_year: int = 0
    pages: str = ""
    extra: dict[str, str] = field(default_factory=dict)

    @property
    def final_year(self) -> int:
        return self.published_year or self.year

    @property
    def names(self) -> list[str]:
        return [f"{g} {f}" for g, f in self.authors]


def build(page_text: str) -> list[SeedPaper]:
    """One ``SeedPaper`` per paper on the page, in page order."""
    papers = hf_page.parse(page_text, source="page").papers
    seeds = []
    for index, paper in enumerate(papers):
        rng = random.Random(1000 + index)
        month = 1 + index % 12
        count = rng.randint(2, 6)
        families = rng.sample(FAMILY, count)
        seed = SeedPaper(
            index=index, title=paper.title, abstract=paper.abstract,
            arxiv_id=f"25{month:02d}.{10011 + index * 97:05d}",
            authors=[(rng.choice(GIVEN), family) for family in families],
            year=2025, month=month, day=1 + index % 28, category=CATEGORIES[index % len(CATEGORIES)],
        )
        if index % 3 == 0:
            venue, kind, cr_type = VENUES[index % len(VENUES)]
            seed.venue, seed.venue_kind, seed.crossref_type = venue, kind, cr_type
            seed.doi = f"10.5555/lectern.seed.{index:03d}"
            seed.published_year = 2026 if index % 9 == 0 else 2025
            first = 100 + index * 11
            seed.pages = f"{first}-{first + 14}"
        seeds.append(seed)
    return seeds


def by_title(seeds: list[SeedPaper]) -> dict[str, SeedPaper]:
    return {normalised(s.title): s for s in seeds}


# -- arXiv Atom (current format) ---------------------------------------------------------------

FEED_HEAD = ("<?xml version='1.0' encoding='UTF-8'?>\n<feed xmlns:opensearch=\"http://a9.com/-/spec/opensearch/1.1/\" "
             "xmlns:arxiv=\"http://arxiv.org/schemas/atom\" xmlns=\"http://www.w3.org/2005/Atom\">\n")


def arxiv_entry(seed: SeedPaper) -> str:
    stamp = f"{seed.year}-{seed.month:02d}-{seed.day:02d}T17:59:{seed.index % 60:02d}Z"
    authors = "".join(f"    <author>\n      <name>{escape(n)}</name>\n    </author>\n" for n in seed.names)
    doi = ""
    if seed.doi:
        doi = (f"    <arxiv:doi>{escape(seed.doi)}</arxiv:doi>\n"
               f"    <link rel=\"related\" href=\"https://doi.org/{escape(seed.doi)}\" title=\"doi\"/>\n")
    return (
        "  <entry>\n"
        f"    <id>http://arxiv.org/abs/{seed.arxiv_id}v1</id>\n"
        f"    <title>{escape(seed.title)}</title>\n"
        f"    <updated>{stamp}</updated>\n"
        f"    <link href=\"https://arxiv.org/abs/{seed.arxiv_id}v1\" rel=\"alternate\" type=\"text/html\"/>\n"
        f"    <link href=\"https://arxiv.org/pdf/{seed.arxiv_id}v1\" rel=\"related\" type=\"application/pdf\" title=\"pdf\"/>\n"
        f"    <summary>{escape(seed.abstract)}</summary>\n"
        f"    <category term={quoteattr(seed.category)} scheme=\"http://arxiv.org/schemas/atom\"/>\n"
        f"    <published>{stamp}</published>\n"
        f"    <arxiv:primary_category term={quoteattr(seed.category)}/>\n"
        f"{authors}{doi}"
        "  </entry>\n"
    )


def arxiv_feed(entries: list[str], query: str) -> str:
    return (FEED_HEAD + "  <id>https://arxiv.org/api/lecternseed</id>\n"
            f"  <title>arXiv Query: {escape(query)}</title>\n  <updated>2026-04-12T22:09:36Z</updated>\n"
            f"  <opensearch:itemsPerPage>{len(entries)}</opensearch:itemsPerPage>\n"
            f"  <opensearch:totalResults>{len(entries)}</opensearch:totalResults>\n"
            "  <opensearch:startIndex>0</opensearch:startIndex>\n" + "".join(entries) + "</feed>\n")


def arxiv_error_feed(bad_id: str) -> str:
    return (FEED_HEAD + "  <id>https://arxiv.org/</id>\n  <title>arXiv Search Results</title>\n"
            "  <updated>2026-04-12T22:59:06Z</updated>\n  <opensearch:itemsPerPage>1</opensearch:itemsPerPage>\n"
            "  <opensearch:totalResults>1</opensearch:totalResults>\n  <opensearch:startIndex>0</opensearch:startIndex>\n"
            f"  <entry>\n    <id>https://arxiv.org/api/errors#incorrect_id_format_for_{escape(bad_id)}</id>\n"
            "    <title>Error</title>\n"
            f"    <summary>incorrect id format for {escape(bad_id)}</summary>\n"
            "    <author>\n      <name>arXiv api core</name>\n    </author>\n  </entry>\n</feed>\n")


# -- Hugging Face ---------------------------------------------------------------------------------


def hf_paper(seed: SeedPaper) -> dict[str, object]:
    return {
        "id": seed.arxiv_id,
        "authors": [{"_id": f"68{seed.index:04d}{n:02d}aa00000000000000", "name": name, "hidden": False}
                    for n, name in enumerate(seed.names)],
        "publishedAt": f"{seed.year}-{seed.month:02d}-{seed.day:02d}T00:00:00.000Z",
        "submittedOnDailyAt": f"{seed.year}-{seed.month:02d}-{seed.day:02d}T04:12:00.000Z",
        "title": seed.title, "summary": seed.abstract, "upvotes": seed.index % 40,
        "discussionId": f"68{seed.index:04d}bb00000000000000",
    }


def hf_search_item(seed: SeedPaper) -> dict[str, object]:
    paper = hf_paper(seed)
    return {"paper": paper, "publishedAt": paper["publishedAt"], "title": seed.title,
            "summary": seed.abstract, "thumbnail": f"https://cdn-thumbnails.huggingface.co/social-thumbnails/papers/{seed.arxiv_id}.png",
            "numComments": 0, "upvoted": False, "isAuthorParticipating": False,
            "highlightedTitle": [{"type": "text", "text": seed.title}], "highlightedSummary": []}


# -- Semantic Scholar and Crossref ------------------------------------------------------------------


def s2_record(seed: SeedPaper) -> dict[str, object]:
    external: dict[str, object] = {"ArXiv": seed.arxiv_id, "CorpusId": 270000000 + seed.index}
    external["DOI"] = seed.doi or f"10.48550/arXiv.{seed.arxiv_id}"
    published = bool(seed.venue)
    return {
        "paperId": f"{seed.index:040x}",
        "externalIds": external,
        "title": seed.title,
        "authors": [{"authorId": str(4000 + seed.index * 10 + n), "name": f"{g[0]}. {f}"}
                    for n, (g, f) in enumerate(seed.authors)],
        "year": seed.final_year,
        "publicationDate": f"{seed.year}-{seed.month:02d}-{seed.day:02d}",
        "venue": seed.venue if published else "arXiv.org",
        "journal": ({"name": seed.venue, "pages": seed.pages.replace("-", " - ")} if published
                    else {"name": "ArXiv", "volume": f"abs/{seed.arxiv_id}"}),
        "publicationTypes": [seed.venue_kind] if published else ["JournalArticle"],
    }


def crossref_work(seed: SeedPaper) -> dict[str, object]:
    year = seed.final_year
    return {
        "status": "ok", "message-type": "work", "message-version": "1.0.0",
        "message": {
            "DOI": seed.doi, "type": seed.crossref_type, "title": [seed.title],
            "author": [{"given": g, "family": f, "sequence": "first" if n == 0 else "additional", "affiliation": []}
                       for n, (g, f) in enumerate(seed.authors)],
            "container-title": [seed.venue], "publisher": "Lectern Seed Press",
            "issued": {"date-parts": [[year, 6]]}, "published": {"date-parts": [[year, 6]]},
            "page": seed.pages, "URL": f"https://doi.org/{seed.doi}",
            "created": {"date-parts": [[year, 5, 2]]},
        },
    }


def write_all(page_text: str, folder: Path) -> int:
    seeds = build(page_text)
    for service in ("arxiv", "huggingface", "semanticscholar", "crossref"):
        (folder / service).mkdir(parents=True, exist_ok=True)
    for seed in seeds:
        name = seed.arxiv_id
        (folder / "arxiv" / f"id_list-{name}.xml").write_text(
            arxiv_feed([arxiv_entry(seed)], f"id_list={name}"), encoding="utf-8")
        (folder / "huggingface" / f"search-{name}.json").write_text(
            json.dumps([hf_search_item(seed)], ensure_ascii=False, separators=(",", ":")), encoding="utf-8")
        (folder / "semanticscholar" / f"{name}.json").write_text(json.dumps(s2_record(seed)), encoding="utf-8")
        if seed.doi:
            (folder / "crossref" / f"{seed.doi.replace('/', '_')}.json").write_text(
                json.dumps(crossref_work(seed), separators=(",", ":")).replace("/", "\\/"), encoding="utf-8")
    return len(seeds)


if __name__ == "__main__":
    from tests.conftest import DAILY_PAGE

    count = write_all(DAILY_PAGE.read_text(encoding="utf-8"), Path(sys.argv[1]))
    print(f"wrote fixtures for {count} papers to {sys.argv[1]}")
