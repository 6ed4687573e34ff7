"""``python -m desktop_app``: the same as the ``lectern`` command."""

import sys

from desktop_app.app import main

if __name__ == "__main__":  # the indexer's spawned child imports this module too
    sys.exit(main())
