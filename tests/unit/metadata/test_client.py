"""The polite client against a real local HTTP server: limits, retries, timeouts, offline, cache."""

from __future__ import annotations

import socket
import threading
import time
from pathlib import Path

import pytest

from desktop_app.metadata import arxiv, crossref, huggingface, semanticscholar
from desktop_app.metadata.cancel import Cancelled, CancelToken
from desktop_app.metadata.client import ClientConfig, OfflineError, PoliteClient, ServiceError
from tests.conftest import SHARED
from tests.fakeapi.server import FakeApis, Fault

RECORDED_429 = SHARED / "fixtures" / "metadata-apis" / "semanticscholar" / "2026-03_search-turing-429-rate-limited.json"


def make_client(apis: FakeApis, **config: object) -> PoliteClient:
    options: dict[str, object] = {"base_urls": apis.base_urls, "rate_scale": 0.0, "app_version": "9.9",
                                  "read_timeout": 2.0, "connect_timeout": 1.0, "backoff": 0.05}
    options.update(config)
    return PoliteClient(ClientConfig(**options))  # type: ignore[arg-type]


def test_a_recorded_arxiv_answer_arrives_and_parses(apis: FakeApis) -> None:
    with make_client(apis) as client:
        response = client.send(arxiv.id_list_request(["1707.08567"]))
    assert response.status == 200
    assert [c.source_id for c in arxiv.parse_feed(response.body)] == ["1707.08567"]
    assert client.stats.requests["arxiv"] == 1


def test_a_batch_with_an_unknown_id_answers_the_known_one(apis: FakeApis) -> None:
    with make_client(apis) as client:
        response = client.send(arxiv.id_list_request(["0808.05394", "1707.08567"]))
    assert [c.source_id for c in arxiv.parse_feed(response.body)] == ["1707.08567"]


def test_s2_batch_is_one_post_with_nulls_for_unknown_ids(apis: FakeApis, seeds: list) -> None:
    refs = [semanticscholar.arxiv_ref(s.arxiv_id) for s in seeds[:3]] + ["arXiv:9999.99999"]
    with make_client(apis) as client:
        response = client.send(semanticscholar.batch_request(refs))
    found = semanticscholar.parse_batch(response.body, refs)
    assert [c is None for c in found] == [False, False, False, True]
    assert apis.count("/s2/graph/v1/paper/batch") == 1 and apis.log[-1].method == "POST"


def test_malformed_id_gives_400_with_arxivs_reason(apis: FakeApis) -> None:
    with make_client(apis) as client:
        response = client.send(arxiv.id_list_request(["abc"]))
    assert response.status == 400
    assert arxiv.parse_errors(response.body) == ["incorrect id format for abc"]


def test_unknown_doi_is_a_404_not_an_exception(apis: FakeApis) -> None:
    with make_client(apis) as client:
        response = client.send(crossref.work_request("10.1371/notarealdoi"))
    assert response.status == 404 and response.body == b"Resource not found."


def test_429_waits_as_retry_after_says_then_succeeds(apis: FakeApis) -> None:
    apis.faults.append(Fault("/arxiv/", status=429, headers={"Retry-After": "1"}, body=b"slow down"))
    with make_client(apis) as client:
        started = time.monotonic()
        response = client.send(arxiv.id_list_request(["1707.08567"]))
        elapsed = time.monotonic() - started
    assert response.status == 200
    assert elapsed >= 0.95 and client.stats.retries["arxiv"] == 1 and apis.count("/arxiv/") == 2


def test_503_with_an_http_date_and_hf_ratelimit_header_are_honoured(apis: FakeApis) -> None:
    when = time.strftime("%a, %d %b %Y %H:%M:%S GMT", time.gmtime(time.time() + 2))
    apis.faults.append(Fault("/crossref/", status=503, headers={"Retry-After": when}))
    apis.faults.append(Fault("/hf/", status=429, headers={"ratelimit": '"api";r=0;t=1'}, body=b'{"error":"rate"}'))
    with make_client(apis) as client:
        assert client.send(crossref.work_request("10.1371/notarealdoi")).status == 404
        assert client.send(huggingface.search_request("Denoising Diffusion")).status == 200
    assert client.stats.waited >= 1.5


def test_a_retry_after_beyond_the_limit_stops_at_once(apis: FakeApis) -> None:
    apis.faults.append(Fault("/s2/", status=429, headers={"Retry-After": "3600"}, times=0))
    with make_client(apis, max_wait=60.0) as client, pytest.raises(ServiceError, match="3600 s"):
        client.send(semanticscholar.match_request("Attention is All you Need"))
    assert apis.count("/s2/") == 1


def test_s2s_429_without_retry_after_backs_off_then_gives_up(apis: FakeApis) -> None:
    recorded = RECORDED_429.read_bytes()  # S2's real 429: no Retry-After header
    apis.faults.append(Fault("/s2/", status=429, body=recorded, times=0))
    with (make_client(apis, max_retries=2, rate_scale=1.0, intervals={"semanticscholar": 0.0}) as client,
          pytest.raises(ServiceError, match="429 3 times")):
        client.send(semanticscholar.match_request("turing"))
    assert apis.count("/s2/") == 3 and client.stats.waited >= 0.14  # backoff 0.05 s, then 0.1 s


def test_a_slow_server_times_out_retries_and_says_so(apis: FakeApis) -> None:
    apis.faults.append(Fault("/hf/", delay=1.5, times=0))
    with (make_client(apis, read_timeout=0.3, max_retries=1) as client,
          pytest.raises(ServiceError, match="did not answer")):
        client.send(huggingface.search_request("anything"))
    assert apis.count("/hf/") == 2


def test_a_malformed_body_reaches_the_parser_which_refuses_it(apis: FakeApis) -> None:
    apis.faults.append(Fault("/arxiv/", body=b"<feed xmlns='http://www.w3.org/2005/Atom'><entry><id>http://arxiv"))
    with make_client(apis) as client:
        response = client.send(arxiv.id_list_request(["1707.08567"]))
    with pytest.raises(ValueError, match="not XML"):
        arxiv.parse_feed(response.body)


def closed_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def test_no_network_is_offline_fast_and_plain() -> None:
    port = closed_port()
    urls = {s: f"http://127.0.0.1:{port}/x" for s in ("huggingface", "arxiv", "semanticscholar", "crossref")}
    client = PoliteClient(ClientConfig(base_urls=urls, rate_scale=0.0))
    started = time.monotonic()
    with pytest.raises(OfflineError, match="offline: cannot reach arXiv"):
        client.send(arxiv.id_list_request(["1707.08567"]))
    with pytest.raises(OfflineError):  # remembered: no second connection attempt
        client.send(arxiv.id_list_request(["1707.08568"]))
    assert time.monotonic() - started < 2.0 and client.stats.requests["arxiv"] == 1
    client.close()


def test_the_arxiv_interval_is_kept_between_requests(apis: FakeApis) -> None:
    with make_client(apis, rate_scale=1.0, intervals={"arxiv": 0.5}) as client:
        started = time.monotonic()
        for arxiv_id in ("1707.08567", "1605.08386", "2104.12255v1"):
            client.send(arxiv.id_list_request([arxiv_id]))
    assert time.monotonic() - started >= 1.0
    times = [entry for entry in apis.log if entry.path.startswith("/arxiv/")]
    assert len(times) == 3


def test_cancel_wakes_a_wait_at_once(apis: FakeApis) -> None:
    token = CancelToken()
    client = PoliteClient(ClientConfig(base_urls=apis.base_urls, intervals={"arxiv": 30.0}), cancel=token)
    client.send(arxiv.id_list_request(["1707.08567"]))
    threading.Timer(0.2, token.cancel).start()
    started = time.monotonic()
    with pytest.raises(Cancelled):
        client.send(arxiv.id_list_request(["1605.08386"]))
    assert time.monotonic() - started < 5 and apis.count("/arxiv/") == 1
    client.close()


def test_cache_answers_repeats_without_the_network(apis: FakeApis, tmp_path: Path) -> None:
    with make_client(apis, cache_dir=tmp_path) as client:
        first = client.send(crossref.work_request("10.1371/notarealdoi"))
        second = client.send(crossref.work_request("10.1371/notarealdoi"))
    assert (first.status, second.status) == (404, 404) and second.from_cache
    assert apis.count("/crossref/") == 1 and client.stats.cache_hits["crossref"] == 1
    apis.faults.append(Fault("/hf/", status=500, times=0))
    with make_client(apis, cache_dir=tmp_path, max_retries=0) as client, pytest.raises(ServiceError):
        client.send(huggingface.search_request("x"))
    assert not list((tmp_path / "huggingface").rglob("*.json"))  # errors are never cached


def test_user_agent_names_the_app_and_the_contact_and_crossref_gets_mailto(apis: FakeApis) -> None:
    with make_client(apis, contact="reader@example.org") as client:
        client.send(crossref.work_request("10.1371/notarealdoi"))
    entry = apis.log[-1]
    assert entry.headers["User-Agent"] == "Lectern/9.9 (mailto:reader@example.org)"
    assert "mailto=reader%40example.org" in entry.query


def test_base_urls_come_from_the_environment_over_settings() -> None:
    settings = {"metadata.url.arxiv": "http://settings.example/api", "metadata.contact": "a@b.org"}
    config = ClientConfig.from_settings(settings, app_version="1", cache_dir=None,
                                        env={"LECTERN_ARXIV_URL": "http://127.0.0.1:9/arxiv/",
                                             "LECTERN_RATE_SCALE": "0"})
    assert config.base_urls["arxiv"] == "http://127.0.0.1:9/arxiv"
    assert config.base_urls["crossref"] == "https://api.crossref.org"
    assert config.rate_scale == 0.0 and config.intervals["crossref"] == 0.1
    plain = ClientConfig.from_settings({"metadata.url.arxiv": "http://settings.example/api"}, app_version="1",
                                       cache_dir=None, env={})
    assert plain.base_urls["arxiv"] == "http://settings.example/api" and plain.intervals["arxiv"] == 3.0
    assert plain.user_agent == "Lectern/1"
