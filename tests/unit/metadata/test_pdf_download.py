"""Download PDF: arXiv PDFs fetched through the polite client from a real local server, then attached."""

from __future__ import annotations

import socket
from hashlib import sha256
from pathlib import Path

import pytest

from desktop_app.core.library import Library
from desktop_app.core.pdf_download import SCRATCH_DIR
from desktop_app.domain.errors import LecternError
from desktop_app.domain.models import Paper
from desktop_app.metadata import arxiv
from desktop_app.metadata.cancel import CancelToken
from desktop_app.metadata.client import ClientConfig, PoliteClient, TooLargeError
from desktop_app.storage import files as store
from tests.fakeapi.server import FakeApis, Fault
from tests.pdfs import paper_pdf

HTML_PAGE = b"<!DOCTYPE html><html><head><title>arXiv</title></head><body>Please wait</body></html>"


def _client(library: Library, apis: FakeApis, cancel: CancelToken | None = None, **more: object) -> PoliteClient:
    return library.metadata_client(cancel, base_urls=apis.base_urls, rate_scale=0.0, backoff=0.01, **more)


def _pdf(tmp_path: Path, name: str, arxiv_id: str) -> bytes:
    return paper_pdf(tmp_path / name, "Sparse Mixtures Revisited",
                     ["we introduce a router", "we report negative results on ImageNet"], arxiv=arxiv_id).read_bytes()


def _add(library: Library, *papers: Paper) -> list[int]:
    library.fetch_arxiv = None
    ids = library.import_papers(list(papers)).imported
    library.catch_up_index()
    return ids


def test_a_pdf_is_downloaded_attached_and_indexed(library: Library, apis: FakeApis, tmp_path: Path) -> None:
    apis.pdfs["2501.00001"] = body = _pdf(tmp_path, "a.pdf", "2501.00001")
    [pid] = _add(library, Paper(title="Sparse Mixtures Revisited", arxiv_id="2501.00001v2", year=2025))
    assert library.pdf_downloadable([pid]) == [pid] and library.missing_pdf_ids() == [pid]
    with _client(library, apis) as client:
        report = library.download_pdfs([pid], client=client)
    [outcome] = report.outcomes
    assert (outcome.status, report.summary()) == ("downloaded", "1 downloaded")
    assert report.changes.modified == {pid}
    assert [entry.path for entry in apis.log] == ["/arxiv-pdf/pdf/2501.00001"]  # the version is not pinned
    [row] = library.attached_files(pid)
    assert row.name == "arXiv-2501.00001.pdf" and row.id == outcome.file_id
    assert library.files.attachments.path_of(row).read_bytes() == body
    library.files.catch_up()  # it went into the full-text queue like any attached file
    result = library.search('fulltext:"negative results"')
    assert result.ids == [pid]
    assert library.files.search.page_snippets(result.compiled, [pid])[pid].page == 2
    assert library.pdf_downloadable([pid]) == [] and library.missing_pdf_ids() == []
    assert not any((library.directory / SCRATCH_DIR).iterdir())  # the scratch copy is gone
    stored = library.files.attachments.path_of(row)
    library.delete_papers([pid])  # the Trash treats it as any attached file
    assert stored.exists() and library.files.purge_deleted([pid]) == 1 and not stored.exists()


def test_papers_without_an_id_or_with_a_pdf_are_skipped_without_a_request(library: Library, apis: FakeApis,
                                                                         tmp_path: Path) -> None:
    no_id, has_pdf = _add(library, Paper(title="No identifier"), Paper(title="Attached", arxiv_id="2501.00003"))
    library.attach(has_pdf, [paper_pdf(tmp_path / "mine.pdf", "Attached", ["own copy"])])
    with _client(library, apis) as client:
        report = library.download_pdfs([no_id, has_pdf], client=client)
    assert [(o.status, o.detail) for o in report.outcomes] == [("skipped", "no arXiv id"),
                                                               ("skipped", "has a PDF already")]
    assert apis.log == [] and report.changes.modified == frozenset()
    assert library.pdf_downloadable([no_id, has_pdf]) == []


def test_html_instead_of_a_pdf_and_a_404_are_plain_errors(library: Library, apis: FakeApis) -> None:
    html, missing = _add(library, Paper(title="Captcha", arxiv_id="2501.00002"),
                         Paper(title="Gone", arxiv_id="2501.99999"))
    apis.faults.append(Fault("/arxiv-pdf/pdf/2501.00002", status=200, body=HTML_PAGE,
                             headers={"Content-Type": "text/html; charset=utf-8"}))
    with _client(library, apis) as client:
        report = library.download_pdfs([html, missing], client=client)
    first, second = report.outcomes
    assert first.status == "error" and first.detail.startswith("arXiv sent a web page (text/html), not a PDF")
    assert second.status == "error" and second.detail == "arXiv has no PDF for 2501.99999 (HTTP 404)"
    assert library.attached_files(html) == [] and library.attached_files(missing) == []
    assert report.summary() == "2 failed" and not any((library.directory / SCRATCH_DIR).iterdir())


def test_a_pdf_content_type_without_pdf_bytes_is_refused(library: Library, apis: FakeApis) -> None:
    [pid] = _add(library, Paper(title="Liar", arxiv_id="2501.00004"))
    apis.faults.append(Fault("/arxiv-pdf/pdf/", status=200, body=b"GIF89a not a pdf",
                             headers={"Content-Type": "application/pdf"}))
    with _client(library, apis) as client:
        [outcome] = library.download_pdfs([pid], client=client).outcomes
    assert (outcome.status, outcome.detail) == ("error", "arXiv's answer is not a PDF (no %PDF- header)")


def test_the_same_file_for_two_papers_is_stored_once(library: Library, apis: FakeApis, tmp_path: Path) -> None:
    body = _pdf(tmp_path, "same.pdf", "2501.00005")
    apis.pdfs["2501.00005"] = apis.pdfs["2501.00006"] = body
    first, second = _add(library, Paper(title="One", arxiv_id="2501.00005"), Paper(title="Two", arxiv_id="2501.00006"))
    with _client(library, apis) as client:
        report = library.download_pdfs([first, second], client=client)
    assert [o.status for o in report.outcomes] == ["downloaded", "downloaded"]
    [a], [b] = library.attached_files(first), library.attached_files(second)
    assert a.sha256 == b.sha256 and a.path == b.path  # deduplicated by content hash


def test_offline_is_one_clear_line_per_paper_and_nothing_else(library: Library, apis: FakeApis) -> None:
    one, two = _add(library, Paper(title="One", arxiv_id="2501.00007"), Paper(title="Two", arxiv_id="2501.00008"))
    with socket.socket() as probe:  # a port nobody listens on
        probe.bind(("127.0.0.1", 0))
        dead = f"http://127.0.0.1:{probe.getsockname()[1]}"
    urls = dict(apis.base_urls, arxiv_pdf=dead)
    with library.metadata_client(None, base_urls=urls, rate_scale=0.0, connect_timeout=1.0) as client:
        report = library.download_pdfs([one, two], client=client)
    assert [o.status for o in report.outcomes] == ["error", "error"]
    assert all(o.detail.startswith("offline: cannot reach arXiv at 127.0.0.1") for o in report.outcomes)
    assert client.stats.requests["arxiv_pdf"] == 1  # the second paper did not try again


def test_cancel_stops_before_the_next_paper(library: Library, apis: FakeApis, tmp_path: Path) -> None:
    apis.pdfs["2501.00009"] = _pdf(tmp_path, "c.pdf", "2501.00009")
    one, two = _add(library, Paper(title="One", arxiv_id="2501.00009"), Paper(title="Two", arxiv_id="2501.00010"))
    token = CancelToken()
    with _client(library, apis, token) as client:
        report = library.download_pdfs([one, two], client=client,
                                       on_outcome=lambda outcome: token.cancel())
    assert [o.status for o in report.outcomes] == ["downloaded", "cancelled"] and report.cancelled
    assert report.summary() == "1 downloaded (cancelled)" and apis.count("/arxiv-pdf") == 1


def test_a_read_only_library_refuses(library: Library, tmp_path: Path) -> None:
    [pid] = _add(library, Paper(title="One", arxiv_id="2501.00011"))
    readonly = Library.open(tmp_path / "lib", readonly=True)
    try:
        with pytest.raises(LecternError, match="read-only"):
            readonly.download_pdfs([pid])
    finally:
        readonly.close()


def test_client_download_keeps_the_size_limit_and_removes_the_partial_file(apis: FakeApis, tmp_path: Path) -> None:
    apis.pdfs["2501.00012"] = b"%PDF-1.4\n" + b"x" * 5000
    config = ClientConfig(base_urls=apis.base_urls, rate_scale=0.0)
    target = tmp_path / "big.pdf"
    with PoliteClient(config) as client:
        with pytest.raises(TooLargeError, match="over the"):
            client.download(arxiv.pdf_request("2501.00012"), target, max_bytes=1000)
        assert not target.exists()
        response = client.download(arxiv.pdf_request("2501.00012"), target, max_bytes=10_000)
    assert response.status == 200 and response.body.startswith(b"%PDF-1.4") and len(response.body) == 1024
    assert target.stat().st_size == 5009


def test_pdf_downloads_wait_in_the_same_slots_as_arxiv_api_calls(apis: FakeApis, tmp_path: Path) -> None:
    apis.pdfs["1707.08567"] = b"%PDF-1.4\n"
    config = ClientConfig(base_urls=apis.base_urls, intervals={"arxiv": 0.4, "arxiv_pdf": 0.4})
    with PoliteClient(config) as client:
        client.send(arxiv.id_list_request(["1707.08567"]))
        client.download(arxiv.pdf_request("1707.08567"), tmp_path / "x.pdf", max_bytes=100)
    assert client.stats.waited >= 0.3  # one host, one queue: the download waited for the API call's slot


def test_a_malformed_id_is_refused_before_any_request() -> None:
    with pytest.raises(ValueError, match="not an arXiv id"):
        arxiv.pdf_request("../../etc/passwd")


def test_a_busy_arxiv_is_retried_as_for_its_api(library: Library, apis: FakeApis, tmp_path: Path) -> None:
    apis.pdfs["2501.00013"] = _pdf(tmp_path, "r.pdf", "2501.00013")
    apis.faults.append(Fault("/arxiv-pdf/pdf/", status=503, headers={"Retry-After": "0"}))
    [pid] = _add(library, Paper(title="Busy", arxiv_id="2501.00013"))
    with _client(library, apis) as client:
        [outcome] = library.download_pdfs([pid], client=client).outcomes
    assert outcome.status == "downloaded" and client.stats.retries["arxiv_pdf"] == 1
    assert apis.count("/arxiv-pdf/pdf/2501.00013") == 2


def test_a_shared_librarys_pdf_that_is_not_here_can_be_downloaded(library: Library, apis: FakeApis,
                                                                  tmp_path: Path) -> None:
    apis.pdfs["2501.00014"] = body = _pdf(tmp_path, "s.pdf", "2501.00014")
    [pid] = _add(library, Paper(title="Shared", arxiv_id="2501.00014"))
    with library.db.write() as conn:  # what sync leaves for a file another member attached
        store.insert(conn, paper_id=pid, path="", name="their-copy.pdf", kind="paper", sha256=sha256(body).hexdigest(),
                     size=len(body), linked=False, added="2026-01-01T00:00:00+00:00")
    assert library.pdf_downloadable([pid]) == [pid]  # its bytes are not on this computer
    with _client(library, apis) as client:
        [outcome] = library.download_pdfs([pid], client=client).outcomes
    assert outcome.status == "downloaded"
    [row] = library.attached_files(pid)  # the same content: the shared row got its bytes here
    assert row.path and library.files.attachments.path_of(row).read_bytes() == body
    assert library.pdf_downloadable([pid]) == []
