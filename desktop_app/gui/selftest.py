"""``lectern --self-test``: prove that this build (source or frozen bundle) really works.

Each check prints ``ok: ...`` or ``FAIL: ...``; the exit code is 1 when any
check failed.  The checks use a temporary library and temporary UI settings,
so the user's own library and settings are never touched:

* the sample in ``resources/sample/`` (written for Lectern, 5 BibTeX entries
  with accents and a 3-paper Daily Papers page) imports as 8 papers;
* searches find the expected papers (plain, fielded, accent-folded);
* the BibTeX export carries every citation key and escapes accents;
* child processes (xdg-open, the browser) would get the user's
  ``LD_LIBRARY_PATH``, not the bundle's;
* the resources, the SVG app icon and the image plugins load;
* the main window opens (offscreen when there is no display) and its table
  shows the 8 papers, then the one a search finds;
* a real font is found and draws glyphs, not empty boxes (without fonts Qt
  draws boxes and nothing else fails).
"""

from __future__ import annotations

import os
import platform
import sys
import tempfile
import time
import traceback
from collections.abc import Callable
from pathlib import Path
from typing import Any

SAMPLE_FILES = ("sample.bib", "daily-papers.txt")
SAMPLE_COUNT = 8
SAMPLE_KEYS = (
    "dorner2021margins", "nunez2023citation", "sorensen2024quill",
    "ferreira2019shelves", "lindqvist2022bibtex",
)
SEARCHES: tuple[tuple[str, str], ...] = (
    ("quillstone", "sorensen2024quill"),  # a plain word from a title
    ("author:Sorensen", "sorensen2024quill"),  # fielded, and ø folds to o
    ("Muller", "dorner2021margins"),  # Müller-Lefèvre, accent-folded
    ("title:lantern", "ramanlanternlightweight"),  # a paper from the Daily Papers page
)
WINDOW_TIMEOUT_MS = 15_000


class Checks:
    """Runs named checks, printing one ``ok:``/``FAIL:`` line for each."""

    def __init__(self, out: Any = None) -> None:
        self.out = out or sys.stdout
        self.failed: list[str] = []
        self.passed = 0

    def say(self, line: str) -> None:
        print(line, file=self.out, flush=True)

    def run(self, name: str, fn: Callable[[], str | None]) -> bool:
        """Run ``fn``; it returns a detail for the ok line or raises to fail."""
        try:
            detail = fn()
        except Exception as exc:  # a failing check must never stop the others
            reason = str(exc) or type(exc).__name__
            self.failed.append(name)
            self.say(f"FAIL: {name}: {reason}")
            if os.environ.get("LECTERN_SELF_TEST_TRACEBACK"):
                traceback.print_exc(file=self.out)
            return False
        self.passed += 1
        self.say(f"ok: {name}" + (f" ({detail})" if detail else ""))
        return True

    def skip(self, name: str, why: str) -> None:
        """A check that could not run because an earlier one failed counts as failed."""
        self.failed.append(name)
        self.say(f"FAIL: {name}: not run ({why})")


def _require(condition: bool, message: str) -> None:
    if not condition:
        raise AssertionError(message)


def _bundle_dirs() -> list[str]:
    """Folders that belong to the frozen bundle (empty when running from source)."""
    if not getattr(sys, "frozen", False):
        return []
    dirs = {str(Path(sys.executable).resolve().parent)}
    meipass = getattr(sys, "_MEIPASS", None)
    if meipass:
        dirs.add(str(Path(meipass).resolve()))
    return sorted(dirs)


def _in_bundle(entry: str, bundle: list[str]) -> bool:
    if not entry:
        return False
    try:
        resolved = str(Path(entry).resolve())
    except OSError:
        resolved = entry
    return any(resolved == d or resolved.startswith(d + os.sep) for d in bundle)


def run_self_test(argv: list[str] | None = None) -> int:
    """Run every check; returns 0 when all passed, else 1."""
    del argv  # no options yet; kept so callers may pass their argv
    started = time.perf_counter()
    checks = Checks()
    frozen = bool(getattr(sys, "frozen", False))
    if sys.platform.startswith("linux") and not (os.environ.get("DISPLAY") or os.environ.get("WAYLAND_DISPLAY")):
        os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

    from desktop_app import __version__

    checks.say(f"lectern {__version__} self-test: {'frozen bundle at ' + _bundle_dirs()[0] if frozen else 'from source'}")
    checks.say(f"info: Python {platform.python_version()} on {platform.platform()}")

    with tempfile.TemporaryDirectory(prefix="lectern-self-test-") as tmp:
        _run_checks(checks, Path(tmp), frozen)

    elapsed = time.perf_counter() - started
    total = checks.passed + len(checks.failed)
    if checks.failed:
        checks.say(f"self-test FAILED: {len(checks.failed)} of {total} checks failed "
                   f"({', '.join(checks.failed)}) in {elapsed:.1f} s")
        return 1
    checks.say(f"self-test passed: {total} checks in {elapsed:.1f} s")
    return 0


def _run_checks(checks: Checks, tmp: Path, frozen: bool) -> None:
    from desktop_app.core.library import Library
    from desktop_app.resources import resource, resources_dir

    state: dict[str, Any] = {}

    def resources_found() -> str:
        missing = [name for name in SAMPLE_FILES if not resource("sample", name).is_file()]
        missing += [] if resource("icons", "lectern.svg").is_file() else ["icons/lectern.svg"]
        _require(not missing, f"missing in {resources_dir()}: {', '.join(missing)}")
        return str(resources_dir())

    checks.run("resources found", resources_found)

    def open_library() -> str:
        state["library"] = Library.open(tmp / "library")
        return str(tmp / "library")

    if not checks.run("temporary library opens", open_library):
        for name in ("sample imports", "search", "BibTeX export", "main window"):
            checks.skip(name, "no library")
        return
    library: Any = state["library"]
    try:
        _library_checks(checks, library)
        _qt_checks(checks, library, tmp, frozen)
    finally:
        library.close()


def _library_checks(checks: Checks, library: Any) -> None:
    from desktop_app.resources import resource

    def sample_imports() -> str:
        paths = [resource("sample", name) for name in SAMPLE_FILES]
        outcome = library.import_files(paths)
        _require(not outcome.unreadable, f"unreadable: {outcome.unreadable}")
        _require(not outcome.problems, f"problems: {[str(p) for p in outcome.problems][:3]}")
        _require(len(outcome.imported) == SAMPLE_COUNT,
                 f"imported {len(outcome.imported)} papers, expected {SAMPLE_COUNT}")
        indexed = library.catch_up_index()
        _require(library.pending_index() == 0, f"{library.pending_index()} papers left unindexed")
        return f"{len(outcome.imported)} papers from {', '.join(SAMPLE_FILES)}; indexed {indexed}"

    if not checks.run("sample imports", sample_imports):
        checks.skip("search", "no sample")
        checks.skip("BibTeX export", "no sample")
        return

    def search() -> str:
        found = []
        for query, key in SEARCHES:
            result = library.search(query)
            keys = [library.paper(pid).citekey for pid in result.ids]
            _require(key in keys, f"{query!r} found {keys}, expected {key}")
            found.append(f"{query!r} -> {key}")
        return "; ".join(found)

    checks.run("search", search)

    def bibtex_export() -> str:
        text = library.export(library.all_ids(), "bibtex")
        keys = [library.paper(pid).citekey for pid in library.all_ids()]
        missing = [k for k in keys if f"{{{k}," not in text]
        _require(len(keys) == SAMPLE_COUNT, f"{len(keys)} papers in the library, expected {SAMPLE_COUNT}")
        _require(not missing, f"keys missing from the export: {missing}")
        for key in SAMPLE_KEYS:
            _require(key in keys, f"citation key {key} was not assigned")
        _require('D{\\"o}rner' in text, 'accents are not escaped (no D{\\"o}rner)')
        return f"{len(keys)} entries, {len(text)} characters"

    checks.run("BibTeX export", bibtex_export)

    def background_indexer() -> str:
        pid = library.all_ids()[0]
        library.start_background_indexing()
        try:
            library.set_note(pid, "selftest-marker-quokka")
            _require(library.wait_for_index(timeout=60), "the indexer process did not catch up in 60 s")
            found = library.search("quokka").ids
            _require(found == [pid], f"a note indexed by the child process was not found ({found})")
        finally:
            library.stop_background_indexing()
        return "a child process indexed a new note; the search found it"

    checks.run("background indexer process", background_indexer)
    checks.run("PDF extraction", lambda: _pdf_check(library.directory.parent / "pdf-library"))


def _pdf_check(directory: Path) -> str:
    """A PDF becomes a paper by its DOI; its page 2 is found by a full-text search (pypdfium2 in a child)."""
    from desktop_app.core.library import Library
    from desktop_app.resources import resource

    with Library.open(directory) as library:
        library.fetch_arxiv = None
        outcome = library.import_files([resource("sample", "selftest.pdf")])
        _require(len(outcome.imported) == 1 and not outcome.problems,
                 f"imported {outcome.imported}, problems {[str(p) for p in outcome.problems]}")
        paper = library.paper(outcome.imported[0])
        _require(paper.doi == "10.5555/lectern.selftest", f"DOI {paper.doi!r} read from the first page")
        library.catch_up_index()
        library.files.catch_up()
        result = library.search("fulltext:quokka")
        _require(result.ids == [paper.id], f"fulltext:quokka found {result.ids}")
        pages = library.files.search.page_snippets(result.compiled, result.ids)
        _require(paper.id in pages and pages[paper.id].page == 2, "the hit is not on page 2")
        return f"DOI {paper.doi}; {pages[paper.id or 0].text()}"


def _qt_checks(checks: Checks, library: Any, tmp: Path, frozen: bool) -> None:
    try:
        from PySide6 import __version__ as pyside_version
        from PySide6.QtCore import QSettings, qVersion
        from PySide6.QtWidgets import QApplication
    except ImportError as exc:
        error = exc
        checks.run("Qt loads", lambda: _raise(error))
        return

    settings_dir = tmp / "settings"
    settings_dir.mkdir()
    for fmt in (QSettings.Format.NativeFormat, QSettings.Format.IniFormat):
        QSettings.setPath(fmt, QSettings.Scope.UserScope, str(settings_dir))

    app = QApplication.instance() or QApplication([sys.argv[0] if sys.argv else "lectern"])
    assert isinstance(app, QApplication)
    app.setOrganizationName("Lectern")
    app.setApplicationName("Lectern")
    app.setDesktopFileName("lectern")
    checks.say(f"info: PySide6 {pyside_version}, Qt {qVersion()} (runtime), platform plugin "
               f"{app.platformName()!r}, QT_QPA_PLATFORM={os.environ.get('QT_QPA_PLATFORM', '')!r}")

    checks.run("child processes get the user's library path", lambda: _child_environment(frozen))
    checks.run("app icon and image plugins", lambda: _icon(app))
    checks.run("a real font is found", lambda: _font(app))
    checks.run("main window shows the sample", lambda: _window(app, library))


def _raise(exc: BaseException) -> str:
    raise exc


def _child_environment(frozen: bool) -> str:
    """Open a link the way the window does, recording the environment xdg-open would get."""
    from PySide6.QtCore import QUrl

    from desktop_app.gui import desktop

    seen: list[tuple[str, str]] = []

    def record(url: QUrl) -> bool:
        seen.append((url.toString(), os.environ.get("LD_LIBRARY_PATH", "")))
        return True

    desktop.set_url_opener(record)
    try:
        handed = desktop.open_link("doi:10.5555/lectern.sample.0001")
    finally:
        desktop.set_url_opener(None)
    _require(handed and len(seen) == 1, "the link was not handed to the opener")
    url, child_path = seen[0]
    _require(url == "https://doi.org/10.5555/lectern.sample.0001", f"unexpected URL {url}")
    bundle = _bundle_dirs()
    leaked = [e for e in child_path.split(os.pathsep) if _in_bundle(e, bundle)]
    _require(not leaked, f"LD_LIBRARY_PATH for children still holds the bundle: {leaked}")
    own = os.environ.get("LD_LIBRARY_PATH", "")
    if os.environ.get("LECTERN_SELF_TEST_OPEN_URL"):  # the smoke test's fake xdg-open records its env
        _require(desktop.open_link(os.environ["LECTERN_SELF_TEST_OPEN_URL"]), "the desktop refused the link")
    if not frozen:
        return "running from source: nothing to undo"
    return (f"ours {own or '(unset)'!r}, children's {child_path or '(unset)'!r}, "
            f"user's {os.environ.get('LD_LIBRARY_PATH_ORIG', '(unset)')!r}")


def _icon(app: Any) -> str:
    from PySide6.QtGui import QImageReader

    from desktop_app.gui import theme

    formats = {bytes(f.data()).decode() for f in QImageReader.supportedImageFormats()}
    _require({"png", "svg"} <= formats, f"image formats {sorted(formats)} lack png or svg")
    icon = theme.app_icon()
    _require(not icon.isNull(), "the SVG app icon did not load (iconengines/svg plugin missing?)")
    image = icon.pixmap(64, 64).toImage()
    _require(not image.isNull(), "the app icon renders to nothing")
    painted = sum(1 for y in range(0, image.height(), 2) for x in range(0, image.width(), 2)
                  if image.pixelColor(x, y).alpha() > 0)
    _require(painted > 50, f"the app icon is almost empty ({painted} painted samples)")
    app.setWindowIcon(icon)
    return f"formats {', '.join(sorted(formats))}"


def _font(app: Any) -> str:
    from PySide6.QtCore import QPoint, Qt
    from PySide6.QtGui import (
        QColor,
        QFontDatabase,
        QFontInfo,
        QFontMetrics,
        QImage,
        QPainter,
        QRawFont,
    )

    families = QFontDatabase.families()
    _require(len(families) > 0, "QFontDatabase has no font families (install fonts-dejavu-core)")
    font = app.font()
    info = QFontInfo(font)
    _require(bool(info.family()), "the default font resolves to no family")
    raw = QRawFont.fromFont(font)
    _require(raw.isValid(), f"no usable font file behind {info.family()!r}")
    for char in "Aaü€":
        _require(raw.supportsCharacter(ord(char)), f"{info.family()!r} has no glyph for {char!r}")
    metrics = QFontMetrics(font)
    narrow, wide = metrics.horizontalAdvance("iiiiiiii"), metrics.horizontalAdvance("WWWWWWWW")
    _require(0 < narrow < wide, f"'i' and 'W' are equally wide ({narrow} vs {wide}): empty boxes?")
    image = QImage(240, 40, QImage.Format.Format_ARGB32)
    image.fill(QColor("white"))
    painter = QPainter(image)
    painter.setFont(font)
    painter.setPen(Qt.GlobalColor.black)
    painter.drawText(QPoint(4, 28), "Lectern Düsseldorf")
    painter.end()
    inked = sum(1 for y in range(image.height()) for x in range(image.width())
                if image.pixelColor(x, y).lightness() < 128)
    _require(inked > 60, f"drawing text left only {inked} dark pixels")
    return f"{len(families)} families; default {info.family()!r} {info.pointSize()} pt, {inked} dark pixels drawn"


def _window(app: Any, library: Any) -> str:
    from PySide6.QtCore import QEventLoop, QTimer

    from desktop_app.gui.window import MainWindow

    window = MainWindow(library)
    window.persist = False
    window.transfers.show_reports = False
    try:
        window.resize(1200, 760)
        window.show()
        rows = _wait_for_rows(window, SAMPLE_COUNT, QEventLoop, QTimer)
        _require(window.isVisible(), "the window is not visible")
        # isVisible() is true only when every parent is shown, i.e. the table's page is current
        _require(window.table.isVisible() and window.table.viewport().height() > 0, "the table is not shown")
        _require(rows == SAMPLE_COUNT, f"the table shows {rows} rows, expected {SAMPLE_COUNT}")
        title = window.table_model.data(window.table_model.index(0, _title_column(window)))
        window.search("quillstone")
        found = _wait_for_rows(window, 1, QEventLoop, QTimer)
        _require(found == 1, f"searching 'quillstone' in the window shows {found} rows, expected 1")
        grab = window.grab()
        _require(not grab.isNull() and grab.width() > 0, "grabbing the window gave no picture")
        shot = os.environ.get("LECTERN_SELF_TEST_GRAB")
        if shot:
            grab.save(shot)
        return (f"{rows} rows (first: {str(title)[:40]!r}), search shows {found}; "
                f"{window.width()}x{window.height()} on {app.platformName()!r}")
    finally:
        window.close()
        window.deleteLater()


def _title_column(window: Any) -> int:
    from PySide6.QtCore import Qt

    model = window.table_model
    for column in range(model.columnCount()):
        if str(model.headerData(column, Qt.Orientation.Horizontal)).lower() == "title":
            return column
    return 0


def _wait_for_rows(window: Any, expected: int, event_loop: Any, timer_class: Any) -> int:
    """Run the event loop until the table shows ``expected`` rows (or the timeout passes)."""
    loop = event_loop()
    timer = timer_class()
    timer.setSingleShot(True)
    timer.timeout.connect(loop.quit)
    poll = timer_class()
    poll.setInterval(20)

    def check() -> None:
        if window.table_model.rowCount() == expected and window.is_idle():
            loop.quit()

    poll.timeout.connect(check)
    timer.start(WINDOW_TIMEOUT_MS)
    poll.start()
    loop.exec()
    poll.stop()
    timer.stop()
    return int(window.table_model.rowCount())
