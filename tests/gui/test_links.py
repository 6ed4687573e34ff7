"""The link policy: what a click in a note or an abstract may open (pure functions)."""

from __future__ import annotations

import pytest

from desktop_app.gui.links import child_environment, external_url


@pytest.mark.parametrize(("link", "expected"), [
    ("https://arxiv.org/abs/2310.01234", "https://arxiv.org/abs/2310.01234"),
    ("http://example.org/paper?id=3#x", "http://example.org/paper?id=3#x"),
    ("HTTPS://Example.org/", "HTTPS://Example.org/"),
    ("doi:10.1145/3065386", "https://doi.org/10.1145/3065386"),
    ("DOI:10.1000/a(b)c", "https://doi.org/10.1000/a(b)c"),
    ("arxiv:2310.01234", "https://arxiv.org/abs/2310.01234"),
    ("arXiv:2310.01234v2", "https://arxiv.org/abs/2310.01234v2"),
    ("arxiv:hep-th/9901001", "https://arxiv.org/abs/hep-th/9901001"),
])
def test_allowed_links_become_browser_urls(link: str, expected: str) -> None:
    assert external_url(link) == expected


@pytest.mark.parametrize("link", [
    "file:///etc/passwd",
    "javascript:alert(1)",
    "JavaScript:alert(1)",
    "data:text/html;base64,PHNjcmlwdD4=",
    "vbscript:msgbox",
    "ftp://example.org/x",
    "mailto:someone@example.org",
    "relative/path.html",
    "/absolute/path",
    "#anchor",
    "",
    "http://",
    "https:///no-host",
    "https://exa mple.org/",
    "doi:not-a-doi",
    "doi:",
    "arxiv:../../etc",
    "arxiv:2310.01234/../x",
    "smb://host/share",
    "http://[",
    "HTTP://[]",
    "https://[::1/x",
    "https://example.org:99999/",
])
def test_other_links_are_refused(link: str) -> None:
    assert external_url(link) is None


def test_child_environment_restores_the_library_path_when_frozen() -> None:
    env = {"LD_LIBRARY_PATH": "/tmp/_MEI123", "LD_LIBRARY_PATH_ORIG": "/usr/local/lib", "HOME": "/home/u"}
    assert child_environment(env, frozen=True)["LD_LIBRARY_PATH"] == "/usr/local/lib"
    assert "LD_LIBRARY_PATH" not in child_environment({"LD_LIBRARY_PATH": "/tmp/_MEI1"}, frozen=True)
    assert child_environment(env, frozen=False) == env
