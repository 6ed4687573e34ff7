"""The fake metadata services for these tests: a real HTTP server on 127.0.0.1."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from tests.conftest import DAILY_PAGE, SHARED
from tests.fakeapi import seed, server


@pytest.fixture(scope="session")
def seeds() -> list[seed.SeedPaper]:
    return seed.build(DAILY_PAGE.read_text(encoding="utf-8"))


@pytest.fixture
def apis(seeds: list[seed.SeedPaper]) -> Iterator[server.FakeApis]:
    with server.running(server.FakeApis(SHARED / "fixtures" / "metadata-apis", seeds)) as running:
        yield running
