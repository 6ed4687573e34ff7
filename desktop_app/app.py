"""Entry point of the ``lectern`` command: the window without arguments, the CLI with them."""

from __future__ import annotations

import logging
import multiprocessing
import sys
from collections.abc import Sequence

from desktop_app.logs import setup_logging

log = logging.getLogger(__name__)

GUI_FLAGS = ("--self-test", "--screenshot")


def _wants_gui(argv: Sequence[str]) -> bool:
    words = [a for a in argv if not a.startswith("-")]
    if any(a == flag or a.startswith(flag + "=") for a in argv for flag in GUI_FLAGS):
        return True
    if not words:
        return not any(a in ("-h", "--help", "--version") for a in argv)
    # ``lectern --library DIR`` opens the window on DIR
    if words == [argv[argv.index("--library") + 1]] if "--library" in argv[:-1] else False:
        return True
    return words[0] == "gui"


def gui_main(argv: Sequence[str] | None = None) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    from desktop_app.gui.main import run_gui  # Qt is imported only when a window is wanted

    return run_gui(argv)


def main(argv: Sequence[str] | None = None) -> int:
    # In the frozen app the background indexer's child process starts as this executable.
    multiprocessing.freeze_support()
    argv = list(sys.argv[1:] if argv is None else argv)
    log_path = setup_logging(verbose="-v" in argv or "--verbose" in argv)
    if _wants_gui(argv):
        return gui_main(argv)
    from desktop_app import cli

    try:
        return cli.run(argv)
    except SystemExit as exc:
        return int(exc.code or 0) if isinstance(exc.code, int) else 2
    except Exception as exc:  # last resort: one line for the user, the traceback in the log
        log.exception("unexpected error")
        where = f" (details in {log_path})" if log_path else ""
        print(f"lectern: unexpected error: {type(exc).__name__}: {exc}{where}", file=sys.stderr)
        return 1


if __name__ == "__main__":
    sys.exit(main())
