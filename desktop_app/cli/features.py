"""The feature command modules that plug into ``lectern``'s parser.

Each module listed here has ``add_parsers(sub)``, which adds its subcommands to the
``argparse`` sub-parser action and sets ``func`` on each to a handler
``(library, args, out, err) -> int``.  A new feature adds a module and one line here.
"""

from __future__ import annotations

from types import ModuleType

import desktop_app.cli.complete as complete

FEATURE_MODULES: tuple[ModuleType, ...] = (
    complete,
)
