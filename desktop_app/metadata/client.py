"""The one polite HTTP client every metadata request goes through.

Built on httpx: a maintained client with separate connect/read timeouts, connection
reuse per host, HTTP/1.1 keep-alive and typed errors (``ConnectError`` vs
``ReadTimeout``), which is what fast offline detection and honest retries need;
the standard library's urllib has one timeout and one error class for everything.

Per service: a minimum interval between requests (arXiv asks for one every 3 s),
Retry-After honoured on 429/503 (seconds or an HTTP date; HF's ``ratelimit: t=``),
exponential backoff otherwise, an on-disk cache, and a cancel token checked before
each request and woken during every wait.  A refused connection or an unreachable
host raises ``OfflineError`` at once (no retries) and the service stays marked
offline for the rest of the run, so a run without network ends in a second.

``download`` streams a large body (an arXiv PDF) to a file under a size limit with the
same slots, retries, offline detection and cancel; such bodies are never cached (the
library's stored copy is the cache).
"""

from __future__ import annotations

import logging
import os
import re
import threading
import time
from collections import Counter
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field
from email.utils import parsedate_to_datetime
from pathlib import Path
from urllib.parse import urlencode

import httpx

from desktop_app.metadata.cache import DEFAULT_TTL, ResponseCache
from desktop_app.metadata.cancel import CancelToken
from desktop_app.metadata.records import (
    ARXIV,
    ARXIV_PDF,
    CROSSREF,
    HUGGINGFACE,
    SEMANTIC_SCHOLAR,
    SERVICE_NAMES,
    ApiRequest,
    ApiResponse,
)

log = logging.getLogger(__name__)

DEFAULT_URLS = {
    HUGGINGFACE: "https://huggingface.co",
    ARXIV: "https://export.arxiv.org/api",
    SEMANTIC_SCHOLAR: "https://api.semanticscholar.org/graph/v1",
    CROSSREF: "https://api.crossref.org",
    ARXIV_PDF: "https://arxiv.org",
}
URL_ENV = {HUGGINGFACE: "LECTERN_HF_URL", ARXIV: "LECTERN_ARXIV_URL",
           SEMANTIC_SCHOLAR: "LECTERN_S2_URL", CROSSREF: "LECTERN_CROSSREF_URL",
           ARXIV_PDF: "LECTERN_ARXIV_PDF_URL"}
URL_SETTING = {service: f"metadata.url.{service}" for service in DEFAULT_URLS}
CONTACT_SETTING = "metadata.contact"
RATE_SCALE_ENV = "LECTERN_RATE_SCALE"  # 0 in tests: same code path, no waiting
# Seconds between two requests, as each service documents it:
# arXiv "no more than one request every three seconds"; HF 500 requests / 5 min per IP;
# S2's unauthenticated pool asks for about 1 request/s; Crossref's public pool allows
# 5/s and the polite pool (a mailto given) 10/s.
DEFAULT_INTERVALS = {ARXIV: 3.0, HUGGINGFACE: 0.6, SEMANTIC_SCHOLAR: 1.0, CROSSREF: 0.2, ARXIV_PDF: 3.0}
# Services on one host share one queue of request slots: a PDF download waits its 3 s after an API call.
SLOT_GROUP = {ARXIV_PDF: ARXIV}
POLITE_CROSSREF_INTERVAL = 0.1
RETRY_STATUSES = frozenset({429, 500, 502, 503, 504})
_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
_HF_RESET = re.compile(r"\bt=(\d+)")


class MetadataError(Exception):
    """A metadata service could not be used; the message says why in plain words."""


class TooLargeError(MetadataError):
    """A downloaded body is larger than the caller allows."""


class OfflineError(MetadataError):
    """The service cannot be reached at all (no network, refused, unknown host)."""


class ServiceError(MetadataError):
    """The service answered, but not usefully (rate limited too long, server errors, timeouts)."""


def valid_contact(contact: str) -> bool:
    return bool(_EMAIL.match(contact.strip()))


@dataclass
class ClientConfig:
    base_urls: dict[str, str] = field(default_factory=lambda: dict(DEFAULT_URLS))
    contact: str = ""
    app_version: str = "0"
    intervals: dict[str, float] = field(default_factory=lambda: dict(DEFAULT_INTERVALS))
    rate_scale: float = 1.0
    connect_timeout: float = 5.0
    read_timeout: float = 20.0
    max_retries: int = 3
    backoff: float = 2.0
    max_wait: float = 120.0  # a longer Retry-After ends the run for that service instead
    cache_dir: Path | None = None
    cache_ttl: float = DEFAULT_TTL

    @classmethod
    def from_settings(cls, settings: Mapping[str, str], *, app_version: str, cache_dir: Path | None,
                      env: Mapping[str, str] | None = None) -> ClientConfig:
        """Base URLs: environment over settings over defaults; contact from settings."""
        env = os.environ if env is None else env
        urls = {s: (env.get(URL_ENV[s]) or settings.get(URL_SETTING[s]) or DEFAULT_URLS[s]).rstrip("/")
                for s in DEFAULT_URLS}
        contact = settings.get(CONTACT_SETTING, "").strip()
        intervals = dict(DEFAULT_INTERVALS)
        if valid_contact(contact):
            intervals[CROSSREF] = POLITE_CROSSREF_INTERVAL
        try:
            scale = float(env.get(RATE_SCALE_ENV, "1"))
        except ValueError:
            scale = 1.0
        return cls(base_urls=urls, contact=contact, app_version=app_version, intervals=intervals,
                   rate_scale=max(scale, 0.0), cache_dir=cache_dir)

    @property
    def user_agent(self) -> str:
        agent = f"Lectern/{self.app_version}"
        return f"{agent} (mailto:{self.contact})" if valid_contact(self.contact) else agent


@dataclass
class ClientStats:
    requests: Counter[str] = field(default_factory=Counter)  # sent over the network
    cache_hits: Counter[str] = field(default_factory=Counter)
    retries: Counter[str] = field(default_factory=Counter)
    waited: float = 0.0  # seconds spent waiting for rate limits and Retry-After

    def as_dict(self) -> dict[str, object]:
        return {"requests": dict(self.requests), "cache_hits": dict(self.cache_hits),
                "retries": dict(self.retries), "waited_seconds": round(self.waited, 2)}


class PoliteClient:
    def __init__(self, config: ClientConfig, *, cancel: CancelToken | None = None,
                 transport: httpx.BaseTransport | None = None) -> None:
        self.config = config
        self.cancel = cancel or CancelToken()
        self.stats = ClientStats()
        self.cache = ResponseCache(config.cache_dir, config.cache_ttl) if config.cache_dir else None
        self._next_slot: dict[str, float] = {}
        self._offline: dict[str, str] = {}
        self._lock = threading.Lock()
        self._http = httpx.Client(
            timeout=httpx.Timeout(config.read_timeout, connect=config.connect_timeout),
            headers={"User-Agent": config.user_agent, "Accept-Encoding": "gzip"},
            follow_redirects=True, transport=transport,
        )

    def close(self) -> None:
        self._http.close()

    def __enter__(self) -> PoliteClient:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def offline_reason(self, service: str) -> str | None:
        return self._offline.get(service)

    # -- the request ---------------------------------------------------------------------

    def url(self, request: ApiRequest) -> str:
        params = list(request.params)
        if request.service == CROSSREF and valid_contact(self.config.contact):
            params.append(("mailto", self.config.contact.strip()))
        query = urlencode(params)
        return self.config.base_urls[request.service] + request.path + (f"?{query}" if query else "")

    def send(self, request: ApiRequest) -> ApiResponse:
        """The service's answer (any status but a retried one), from the cache or the network."""
        self.cancel.check()
        if request.service in self._offline:
            raise OfflineError(self._offline[request.service])
        url = self.url(request)
        cache_key = f"{request.method} {request.path}?{urlencode(request.params)} {request.json_body!r}"
        if self.cache is not None:
            cached = self.cache.get(request.service, cache_key)
            if cached is not None:
                self.stats.cache_hits[request.service] += 1
                return cached

        def perform() -> ApiResponse:
            raw = self._http.request(request.method, url, json=request.json_body)
            return ApiResponse(raw.status_code, raw.content, dict(raw.headers))

        response = self._exchange(request.service, url, perform)
        if self.cache is not None:
            self.cache.put(request.service, cache_key, response)
        return response

    def download(self, request: ApiRequest, target: Path, *, max_bytes: int) -> ApiResponse:
        """Stream a GET's 200 body to ``target`` (never cached, never held in memory whole).

        The returned response's ``body`` is only the first KB of what was written (enough to
        check a file's magic bytes); for any other status it is the start of the error page
        and ``target`` is not written.  A body over ``max_bytes`` raises ``TooLargeError``;
        on any failure or cancel the partial ``target`` is removed.
        """
        self.cancel.check()
        if request.service in self._offline:
            raise OfflineError(self._offline[request.service])
        url = self.url(request)

        def perform() -> ApiResponse:
            with self._http.stream("GET", url) as raw:
                headers = dict(raw.headers)
                if raw.status_code != 200:
                    return ApiResponse(raw.status_code, _first_bytes(raw.iter_bytes(), 65536), headers)
                declared = raw.headers.get("content-length", "")
                if declared.isdigit() and int(declared) > max_bytes:
                    raise TooLargeError(f"the file is {int(declared) / 1e6:.0f} MB, over the "
                                        f"{max_bytes / 1e6:.0f} MB limit")
                return ApiResponse(200, _stream_to(raw.iter_bytes(), target, max_bytes, self.cancel.check), headers)

        try:
            return self._exchange(request.service, url, perform)
        except BaseException:
            target.unlink(missing_ok=True)
            raise

    def _exchange(self, service: str, url: str, perform: Callable[[], ApiResponse]) -> ApiResponse:
        """``perform`` in the service's next slot, retried on timeouts and 429/5xx; offline at once."""
        name = SERVICE_NAMES[service]
        attempt = 0
        while True:
            self._wait_for_slot(service)
            self.stats.requests[service] += 1
            try:
                response = perform()
            except (httpx.ConnectError, httpx.ConnectTimeout) as exc:
                reason = f"offline: cannot reach {name} at {httpx.URL(url).host} ({_plain(exc)})"
                self._offline[service] = reason
                raise OfflineError(reason) from exc
            except (httpx.TimeoutException, httpx.NetworkError, httpx.RemoteProtocolError) as exc:
                if attempt >= self.config.max_retries:
                    raise ServiceError(f"{name} did not answer ({_plain(exc)}) after "
                                       f"{attempt + 1} tries") from exc
                self._back_off(service, attempt, None)
                attempt += 1
                continue
            if response.status not in RETRY_STATUSES:
                return response
            if attempt >= self.config.max_retries:
                raise ServiceError(f"{name} answered HTTP {response.status} {attempt + 1} times; try later")
            self._back_off(service, attempt, _retry_after(response.headers))
            attempt += 1

    # -- waiting ---------------------------------------------------------------------------

    def _interval(self, service: str) -> float:
        return self.config.intervals.get(service, 1.0) * self.config.rate_scale

    def _wait_for_slot(self, service: str) -> None:
        queue = SLOT_GROUP.get(service, service)
        with self._lock:
            now = time.monotonic()
            slot = max(self._next_slot.get(queue, now), now)
            self._next_slot[queue] = slot + self._interval(service)
        self._sleep(slot - now)

    def _back_off(self, service: str, attempt: int, retry_after: float | None) -> None:
        self.stats.retries[service] += 1
        delay = retry_after if retry_after is not None else self.config.backoff * 2 ** attempt
        if delay > self.config.max_wait:
            raise ServiceError(f"{SERVICE_NAMES[service]} asks to wait {delay:.0f} s before the next "
                               "request; try again later")
        delay *= self.config.rate_scale if retry_after is None else 1.0
        log.info("%s: waiting %.1f s before retrying", service, delay)
        queue = SLOT_GROUP.get(service, service)
        with self._lock:  # the retry's own _wait_for_slot does the waiting
            self._next_slot[queue] = max(self._next_slot.get(queue, 0.0), time.monotonic() + delay)

    def _sleep(self, seconds: float) -> None:
        if seconds > 0:
            self.stats.waited += seconds
            self.cancel.sleep(seconds)
        else:
            self.cancel.check()


def _first_bytes(chunks: Iterator[bytes], limit: int) -> bytes:
    head = b""
    for chunk in chunks:
        head += chunk
        if len(head) >= limit:
            break
    return head[:limit]


def _stream_to(chunks: Iterator[bytes], target: Path, max_bytes: int, check: Callable[[], None]) -> bytes:
    """Write ``chunks`` to ``target`` (cancel checked per chunk); the first KB written."""
    head = b""
    size = 0
    with target.open("wb") as out:
        for chunk in chunks:
            check()
            size += len(chunk)
            if size > max_bytes:
                raise TooLargeError(f"the file is over the {max_bytes / 1e6:.0f} MB limit")
            if len(head) < 1024:
                head += chunk[:1024 - len(head)]
            out.write(chunk)
    return head


def _retry_after(headers: Mapping[str, str]) -> float | None:
    """Seconds to wait from ``Retry-After`` (seconds or HTTP date) or HF's ``ratelimit: ...;t=N``."""
    lowered = {k.lower(): v for k, v in headers.items()}
    value = lowered.get("retry-after", "").strip()
    if value:
        if value.isdigit():
            return float(value)
        try:
            when = parsedate_to_datetime(value)
        except (TypeError, ValueError, IndexError):
            return None
        return max(0.0, when.timestamp() - time.time())
    match = _HF_RESET.search(lowered.get("ratelimit", ""))
    return float(match.group(1)) if match else None


def _plain(exc: BaseException) -> str:
    text = str(exc).strip()
    if "Connection refused" in text:
        return "connection refused"
    if "Name or service not known" in text or "nodename nor servname" in text:
        return "unknown host"
    return text or type(exc).__name__
