"""Which links Lectern opens in the desktop browser (pure functions, no Qt).

Notes and abstracts are untrusted text.  A clicked link is opened only when it
is http(s), ``doi:`` or ``arxiv:``; DOIs and arXiv ids become their resolver
URLs.  Everything else (``file:``, ``javascript:``, ``data:``, relative
links...) is refused.  When running frozen, child processes (xdg-open and the
browser) must not inherit the bundle's ``LD_LIBRARY_PATH``.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from urllib.parse import quote, urlsplit

_SCHEME = re.compile(r"^([a-zA-Z][a-zA-Z0-9+.\-]*):")
_ARXIV_ID = re.compile(r"^(\d{4}\.\d{4,5}(v\d+)?|[a-z\-]+(\.[A-Z]{2})?/\d{7}(v\d+)?)$")
_DOI = re.compile(r"^10\.\d{4,9}/\S+$")


def external_url(link: str) -> str | None:
    """The URL to hand to the desktop browser for ``link``, or None when it must not be opened."""
    text = link.strip()
    match = _SCHEME.match(text)
    if not match:
        return None
    scheme = match.group(1).lower()
    rest = text[match.end():]
    if scheme in ("http", "https"):
        try:
            parts = urlsplit(text)
            parts.port  # noqa: B018 (raises for a malformed host or port)
        except ValueError:  # e.g. "https://[::1/x": a broken IPv6 host
            return None
        if not parts.netloc or any(ch in text for ch in "\n\r\t "):
            return None
        return text
    if scheme == "doi":
        doi = rest.lstrip("/").strip()
        if not _DOI.match(doi):
            return None
        return "https://doi.org/" + quote(doi, safe="/:;()._-<>[]")
    if scheme == "arxiv":
        arxiv_id = rest.lstrip("/").strip()
        if not _ARXIV_ID.match(arxiv_id):
            return None
        return "https://arxiv.org/abs/" + arxiv_id
    return None


def arxiv_url(arxiv_id: str) -> str:
    return "https://arxiv.org/abs/" + arxiv_id


def doi_url(doi: str) -> str:
    return "https://doi.org/" + quote(doi, safe="/:;()._-<>[]")


def child_environment(environ: Mapping[str, str], *, frozen: bool) -> dict[str, str]:
    """The environment a child process should get: the bundle's library path undone when frozen."""
    env = dict(environ)
    if not frozen:
        return env
    original = env.get("LD_LIBRARY_PATH_ORIG")
    if original is not None:
        env["LD_LIBRARY_PATH"] = original
    else:
        env.pop("LD_LIBRARY_PATH", None)
    return env
