"""The screening view, keyboard only; the keyword marks; the PRISMA view and its exports."""

from __future__ import annotations

from collections import Counter
from pathlib import Path

from PySide6.QtCore import Qt
from PySide6.QtGui import QImage

from desktop_app.core.library import Library
from desktop_app.domain.models import Paper
from desktop_app.domain.screening import Verdict
from desktop_app.gui.ops import running_ops
from desktop_app.gui.prisma import PrismaView, export_diagram
from desktop_app.gui.screening import ConflictsDialog, ScreeningView, marked_html
from desktop_app.gui.window import MainWindow

WAIT_MS = 20_000


def make_review(library: Library, count: int = 25) -> list[int]:
    topics = ["zinc therapy in Wilson disease", "galaxy rotation curves", "soil microbiome", "trientine dosing"]
    papers = [Paper(title=f"Study {i}: {topics[i % 4]}", abstract=f"We report on {topics[i % 4]} <b>case {i}</b>.")
              for i in range(count)]
    ids = library.import_papers(papers).imported
    library.create_list("Hits")
    library.add_to_list("Hits", ids)
    library.reviews.create("Wilson", question="Which therapy works?", include_keywords=["zinc", "trientine"],
                           exclude_keywords=["galaxy"])
    library.reviews.add_from_list("Wilson", "Hits")
    library.reviews.set_reviewer("Ada")
    return ids


def test_screen_twenty_records_with_the_keyboard_only(qtbot, library: Library) -> None:  # type: ignore[no-untyped-def]
    make_review(library)
    view = ScreeningView(library, "Wilson")
    qtbot.addWidget(view)
    view.show()
    qtbot.waitUntil(lambda: view.session.prepared, timeout=WAIT_MS)
    view.setFocus()
    keys = ["I", "E1", "M", "E", "I", "E3", "EE", "I", "M", "E2",  # "E" then Enter: no reason
            "I", "E1", "I", "I", "E9", "M", "I", "E1", "E2", "I", "I"]
    shown: list[int] = []
    for step in keys:
        record = view.current_record
        assert record is not None
        shown.append(record.paper_id)
        for char in step:
            qtbot.keyClick(view, char)
        if step == "E":
            qtbot.keyClick(view, Qt.Key.Key_Return)
    assert len(set(shown)) == len(keys)  # each decision moved on to a new record
    qtbot.keyClick(view, "U")  # withdraw the 21st
    assert view.current_record is not None and view.current_record.paper_id == shown[-1]
    qtbot.keyClick(view, "E")
    qtbot.keyClick(view, Qt.Key.Key_Escape)  # cancelled exclusion decides nothing
    decisions = library.reviews.decisions("Wilson")
    assert len(decisions) == 20
    latest = {d.paper_id: d for d in decisions}
    assert Counter(d.verdict for d in latest.values()) == {Verdict.INCLUDE: 8, Verdict.EXCLUDE: 9, Verdict.MAYBE: 3}
    reasons = library.reviews.get("Wilson").exclusion_reasons
    assert latest[shown[1]].reason == reasons[0] and latest[shown[5]].reason == reasons[2]
    assert latest[shown[3]].reason == "" and latest[shown[14]].reason == reasons[8]
    assert "Screened 20" in view.progress_label.text() and "remaining 5" in view.progress_label.text()
    qtbot.waitUntil(lambda: view.retrains > 0 and running_ops() == 0, timeout=WAIT_MS)


def test_the_next_record_follows_the_retrained_ranking(qtbot, library: Library) -> None:  # type: ignore[no-untyped-def]
    make_review(library, count=40)
    view = ScreeningView(library, "Wilson")
    qtbot.addWidget(view)
    view.show()
    qtbot.waitUntil(lambda: view.session.prepared, timeout=WAIT_MS)
    # teach it: zinc/trientine relevant, the rest not, until it has both kinds
    for _ in range(8):
        record = view.current_record
        assert record is not None
        relevant = "zinc" in record.title or "trientine" in record.title
        with qtbot.waitSignal(view.rankingApplied, timeout=WAIT_MS):
            qtbot.keyClick(view, "I" if relevant else "E")
            if not relevant:
                qtbot.keyClick(view, Qt.Key.Key_Return)
    next_titles = [view.session.records[p].title for p in view.session._ranking[:5]
                   if p not in {h for h, _ in view.session.history}][:3]
    assert all("zinc" in t or "trientine" in t for t in next_titles)
    qtbot.waitUntil(lambda: running_ops() == 0, timeout=WAIT_MS)


def test_marks_escape_untrusted_text() -> None:
    marked = marked_html("<script>alert(1)</script> Zinc & trientine; galaxy", ["zinc", "trientine"], ["galaxy"])
    assert "<script>" not in marked and "&lt;script&gt;" in marked and "&amp;" in marked
    assert marked.count("#b7e4c7") == 2 and marked.count("#f6c1c1") == 1


def test_prisma_view_and_exports(qtbot, library: Library, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    ids = make_review(library, count=6)
    library.reviews.decide("Wilson", ids[0], "include")
    library.reviews.decide("Wilson", ids[1], "exclude", reason="Wrong population")
    counts = library.reviews.prisma("Wilson")
    view = PrismaView()
    qtbot.addWidget(view)
    view.set_counts(counts, "Wilson")
    view.resize(860, 600)
    image = view.grab().toImage()
    colours = {image.pixelColor(x, y).name() for x in range(0, image.width(), 3) for y in range(0, image.height(), 3)}
    assert {"#ffffff", "#c6dbef", "#1a1a1a"} <= colours  # the page, the phase bands, the lines
    svg, png = tmp_path / "flow.svg", tmp_path / "flow.png"
    export_diagram(counts, svg, "Wilson")
    export_diagram(counts, png, "Wilson")
    text = svg.read_text(encoding="utf-8")
    assert text.startswith("<?xml") and "Records screened (n = 2)" in text and "Records excluded (n = 1)" in text
    assert "Reading list: Hits (n = 6)" in text
    loaded = QImage(str(png))
    assert not loaded.isNull() and loaded.width() == 1720


def test_the_window_has_a_review_menu(window: MainWindow) -> None:
    titles = [a.text() for a in window.menuBar().actions()]
    assert "&Review" in titles and titles[-1] == "&Help"


def test_random_order_mode_ignores_the_ranker(qtbot, library: Library) -> None:  # type: ignore[no-untyped-def]
    make_review(library, count=12)
    view = ScreeningView(library, "Wilson", random_order=True)
    qtbot.addWidget(view)
    assert view.session.prepared and "random order" in view.heading.text()
    before = list(view.session._ranking)
    for _ in range(4):
        qtbot.keyClick(view, "I")
    qtbot.waitUntil(lambda: running_ops() == 0, timeout=WAIT_MS)
    assert view.session._ranking == before and len(library.reviews.decisions("Wilson")) == 4


def test_an_arbiter_settles_conflicts(qtbot, library: Library) -> None:  # type: ignore[no-untyped-def]
    ids = make_review(library, count=4)
    reviews = library.reviews
    for pid, (ada, grace) in zip(ids, [("include", "exclude"), ("include", "include"), ("exclude", "include")],
                                 strict=False):
        reviews.decide("Wilson", pid, ada, reviewer="Ada")
        reviews.decide("Wilson", pid, grace, reviewer="Grace")
    reviews.set_blind("Wilson", False)
    reviews.set_reviewer("Arbiter")
    dialog = ConflictsDialog(library, "Wilson")
    qtbot.addWidget(dialog)
    assert dialog.table.rowCount() == 2 and "Ada: include; Grace: exclude" in dialog.table.item(0, 2).text()
    dialog.reason.setCurrentIndex(2)
    qtbot.mouseClick(dialog.exclude_button, Qt.MouseButton.LeftButton)
    assert dialog.table.rowCount() == 1
    settled = [d for d in reviews.decisions("Wilson") if d.final]
    assert [(d.paper_id, d.verdict, d.reason, d.reviewer) for d in settled] == [
        (ids[0], Verdict.EXCLUDE, reviews.get("Wilson").exclusion_reasons[1], "Arbiter")]
    dialog.include_button.click()
    assert dialog.table.rowCount() == 0 and reviews.conflicts("Wilson") == []
