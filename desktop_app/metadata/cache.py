"""An on-disk cache of API responses in the library folder (``cache/metadata/``).

Only answers that will not change soon are kept: 200s and "unknown id" 404s, for
``ttl`` seconds.  A damaged or unreadable entry is a miss, never an error.
"""

from __future__ import annotations

import base64
import hashlib
import json
import logging
import os
import time
from pathlib import Path

from desktop_app.metadata.records import ApiResponse

log = logging.getLogger(__name__)

CACHEABLE = frozenset({200, 404})
DEFAULT_TTL = 14 * 24 * 3600.0


class ResponseCache:
    def __init__(self, directory: Path, ttl: float = DEFAULT_TTL) -> None:
        self.directory = directory
        self.ttl = ttl

    def _path(self, service: str, key: str) -> Path:
        digest = hashlib.sha256(key.encode("utf-8")).hexdigest()
        return self.directory / service / digest[:2] / f"{digest}.json"

    def get(self, service: str, key: str) -> ApiResponse | None:
        path = self._path(service, key)
        try:
            data = json.loads(path.read_text(encoding="utf-8"))
            if time.time() - float(data["stored"]) > self.ttl or data["key"] != key:
                return None
            return ApiResponse(int(data["status"]), base64.b64decode(data["body"]), from_cache=True)
        except FileNotFoundError:
            return None
        except (OSError, ValueError, KeyError, TypeError):
            log.warning("ignoring a damaged cache entry %s", path)
            return None

    def put(self, service: str, key: str, response: ApiResponse) -> None:
        if response.status not in CACHEABLE:
            return
        path = self._path(service, key)
        data = {"key": key, "status": response.status, "stored": time.time(),
                "body": base64.b64encode(response.body).decode("ascii")}
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
            temporary = path.with_suffix(".tmp")
            temporary.write_text(json.dumps(data), encoding="utf-8")
            os.replace(temporary, path)
        except OSError:
            log.warning("could not write the metadata cache at %s", path, exc_info=True)
