"""What every CLI command module shares: the usage error and JSON output."""

from __future__ import annotations

import json
from typing import Any, TextIO

from desktop_app.domain.errors import LecternError


class CliError(LecternError):
    """A usage mistake found after parsing (e.g. a missing --file)."""


def print_json(data: Any, out: TextIO) -> None:
    """Write ``data`` as indented UTF-8 JSON and a newline."""
    json.dump(data, out, ensure_ascii=False, indent=2)
    out.write("\n")
