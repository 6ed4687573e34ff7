"""The frozen bundle's entry script: the same as the ``lectern`` command.

No arguments open the window (a double-click); arguments run the CLI
(``lectern import FILE``, ``lectern search QUERY``...); ``--self-test`` checks the bundle.
"""

import sys

from desktop_app.app import main

if __name__ == "__main__":
    sys.exit(main())
