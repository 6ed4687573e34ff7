"""The feature command modules that plug into ``lectern``'s parser.

Each module listed here has ``add_parsers(sub)``, which adds its subcommands to the
``argparse`` sub-parser action and sets ``func`` on each to a handler
``(library, args, out, err) -> int``.  A new feature adds a module and one line here.
"""

from __future__ import annotations

from types import ModuleType

import desktop_app.cli.complete as complete
import desktop_app.cli.downloads as downloads

# ``import a.b.c as c``, not ``from a.b import c``: the latter also imports the package itself,
# which imports this module (an import cycle).
import desktop_app.cli.files as files
import desktop_app.cli.review as review
import desktop_app.cli.sync as sync
import desktop_app.cli.trash as trash

FEATURE_MODULES: tuple[ModuleType, ...] = (
    trash,
    files,
    sync,
    review,
    complete,
    downloads,
)
