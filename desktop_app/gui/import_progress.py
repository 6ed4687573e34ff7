"""What the status bar says while an import runs: files, and the papers of the current file.

``Library.import_files`` reports files (``progress(path, number, files)``) and,
a batch at a time, the papers of the current file (``paper_progress(stored,
papers)``).  ``ImportProgress`` holds the latest of both and turns it into a
label and a bar: one file fills the bar by its papers; several files share
the bar, each file one equal part, filled by its papers.
"""

from __future__ import annotations

from dataclasses import dataclass, replace

FILE_STEPS = 1000  # bar units per file when several files share the bar


@dataclass(frozen=True)
class ImportProgress:
    """One step of an import; ``papers`` is 0 until the current file has been read."""

    name: str
    file_number: int  # 0-based; equal to ``files`` once every file is done
    files: int
    stored: int = 0
    papers: int = 0

    def next_file(self, name: str, number: int, files: int) -> ImportProgress:
        """A new file begins (its papers unknown until it is read); past the last, all is done."""
        if number >= files:
            return replace(self, file_number=number, files=files)
        return ImportProgress(name or self.name, number, files)

    def with_papers(self, stored: int, papers: int) -> ImportProgress:
        return replace(self, stored=stored, papers=papers)

    @property
    def finished(self) -> bool:
        return self.file_number >= self.files

    def text(self) -> str:
        """``Importing nips2018.json… 500 of 1,009 papers`` (with ``(file 2 of 3)`` for several)."""
        where = f" (file {min(self.file_number + 1, self.files)} of {self.files})" if self.files > 1 else ""
        text = f"Importing {self.name or 'papers'}{where}…"
        if self.papers and not (self.finished and self.files > 1):
            text += f" {self.stored:,} of {self.papers:,} papers"
        return text

    def bar(self) -> tuple[int, int]:
        """``(value, maximum)`` for the progress bar; a maximum of 0 is a busy bar (reading a file)."""
        if self.files > 1:
            part = (FILE_STEPS * self.stored) // self.papers if self.papers else 0
            value = FILE_STEPS * min(self.file_number, self.files) + (0 if self.finished else part)
            return value, FILE_STEPS * self.files
        if self.papers:
            return self.stored, self.papers
        return 0, 0
