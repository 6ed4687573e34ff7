"""Lectern: a desktop literature-review application.

The package is layered (see DESIGN.md): ``core`` holds the models and the
``Library`` facade, ``storage`` the SQLite store, ``search`` the Whoosh index,
``formats`` the pure importers and exporters, ``gui`` the Qt front end and
``cli`` the headless command line.  Only ``gui`` imports Qt.
"""

from importlib.metadata import PackageNotFoundError, version

APP_NAME = "Lectern"

try:
    __version__ = version("lectern")
except PackageNotFoundError:  # running from a source tree that was never installed
    __version__ = "0.1.0"
