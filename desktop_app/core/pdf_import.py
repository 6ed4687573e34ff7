"""PDFs as a way in: each PDF (or each PDF in a folder) becomes a paper with the file attached.

The paper comes from what the PDF says about itself: a DOI or an arXiv id in
its metadata or on its first page (an arXiv id is completed online when the
library has a fetcher), else the title guessed from the first page, which
the outcome reports as a guess for the user to check.  A PDF already
attached somewhere (same content) or a paper already in the library (same
DOI, arXiv id or title) is not made twice.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Protocol

from desktop_app.core.arxiv_fetch import complete_from_arxiv
from desktop_app.core.attachments import file_hash
from desktop_app.core.importing import ImportOutcome
from desktop_app.domain.models import Paper, Problem
from desktop_app.pdf.extract import PdfText
from desktop_app.pdf.worker import PdfWorker
from desktop_app.storage import files as store

if TYPE_CHECKING:
    from desktop_app.core.arxiv_fetch import Fetch
    from desktop_app.core.attachments import AttachOutcome
    from desktop_app.storage.db import Database


class Library(Protocol):
    """What importing PDFs needs of the library facade (it is called from inside it)."""

    db: Database
    fetch_arxiv: Fetch | None

    def import_papers(self, papers: Sequence[Paper]) -> ImportOutcome: ...

    def attach(self, ref: int | str, paths: Sequence[Path | str], *, link: bool = False,
               kind: str = "paper") -> AttachOutcome: ...


def is_pdf_input(path: Path) -> bool:
    """A folder (its PDFs are imported) or a file whose name or first bytes say PDF."""
    if path.is_dir():
        return True
    if path.suffix.lower() == ".pdf":
        return True
    try:
        with path.open("rb") as handle:
            return handle.read(5) == b"%PDF-"
    except OSError:
        return False


def pdfs_in(paths: Iterable[Path]) -> list[Path]:
    """The PDFs named or inside the folders named, in a stable order."""
    found: list[Path] = []
    for path in paths:
        if path.is_dir():
            found.extend(sorted(p for p in path.rglob("*") if p.is_file() and p.suffix.lower() == ".pdf"))
        else:
            found.append(path)
    return found


def paper_from_pdf(text: PdfText, path: Path) -> tuple[Paper, str]:
    """A paper for the PDF and, when its title is only a guess, the guess (else '')."""
    title = text.title_guess or text.metadata_title
    if text.doi or text.arxiv_id:
        return Paper(title=title, doi=text.doi, arxiv_id=text.arxiv_id, entry_type="article"), ""
    guess = title or path.stem.replace("_", " ").strip()
    return Paper(title=guess, entry_type="article"), guess


def import_pdfs(library: Library, paths: Sequence[Path | str], *, link: bool = False,
                cancel: Callable[[], bool] | None = None,
                progress: Callable[[str, int, int], None] | None = None) -> ImportOutcome:
    """Make a paper of each PDF and attach the file; problems and guesses go into the outcome."""
    outcome = ImportOutcome()
    for folder in (Path(p) for p in paths):
        if folder.is_dir() and not pdfs_in([folder]):
            outcome.problems.append(Problem(source=str(folder), reason="a folder without PDFs in it (nothing to import)"))
            outcome.unreadable.append(str(folder))
    pdfs = pdfs_in(Path(p) for p in paths)
    with PdfWorker() as worker:
        for number, path in enumerate(pdfs):
            if cancel and cancel():
                outcome.cancelled = True
                break
            if progress:
                progress(str(path), number, len(pdfs))
            _import_one(library, worker, path, link, outcome)
    return outcome


def _import_one(library: Library, worker: PdfWorker, path: Path, link: bool, outcome: ImportOutcome) -> None:
    try:
        sha, _size = file_hash(path)
    except OSError as exc:
        outcome.problems.append(Problem(source=str(path), reason=f"cannot read the file: {exc.strerror or exc}"))
        outcome.unreadable.append(str(path))
        return
    owners = sorted(_live(library, sha))
    if owners:
        outcome.merged.append(owners[0])
        return
    extraction = worker.extract(path)
    if extraction.text is None:
        outcome.problems.append(Problem(source=str(path), reason=extraction.problem))
        outcome.unreadable.append(str(path))
        return
    paper, guess = paper_from_pdf(extraction.text, path)
    if paper.arxiv_id and library.fetch_arxiv is not None:
        completed, fetch_problems = complete_from_arxiv([paper.model_copy(update={"title": ""})],
                                                        fetch=library.fetch_arxiv, source=str(path))
        if completed and completed[0].title:
            paper = completed[0]
        else:
            outcome.problems.extend(fetch_problems)
    stored = library.import_papers([paper])
    outcome.problems.extend(stored.problems)
    ids = stored.imported or stored.merged
    if not ids:
        return
    pid = ids[0]
    (outcome.imported if stored.imported else outcome.merged).append(pid)
    attached = library.attach(pid, [path], link=link)
    outcome.problems.extend(attached.problems)
    if guess and stored.imported:
        outcome.guesses.append(f"{path}: no DOI or arXiv id found; title guessed from the first page: "
                               f"{guess!r} (check it: F2 or `lectern show {pid}`)")
    outcome.changes = outcome.changes | stored.changes | attached.changes


def _live(library: Library, sha: str) -> set[int]:
    """Papers (still in the library) that have this exact file attached."""
    owners = {r.paper_id for r in store.with_hash(library.db.conn, sha)}
    return {pid for pid in owners
            if library.db.conn.execute("SELECT 1 FROM papers WHERE id = ?", (pid,)).fetchone()}
