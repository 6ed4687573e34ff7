"""The names from the parts below that the front ends (window, CLI) may use, through core.

The GUI and the CLI talk to the ``Library`` facade; what they show of its answers (a
search snippet, a table row, the list of file formats, a name parser for an edit form)
comes from here, so that neither imports ``formats/``, ``search/`` or ``storage/`` itself.
"""

from __future__ import annotations

from desktop_app.formats import EXPORT_FORMATS, IMPORT_FORMATS, Format, UnknownFormatError
from desktop_app.formats.names import parse_bibtex_name
from desktop_app.search.engine import Hit, Snippet
from desktop_app.storage.papers import PaperRow

__all__ = [
    "EXPORT_FORMATS",
    "IMPORT_FORMATS",
    "Format",
    "Hit",
    "PaperRow",
    "Snippet",
    "UnknownFormatError",
    "parse_bibtex_name",
]
