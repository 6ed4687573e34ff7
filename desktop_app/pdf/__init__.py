"""PDFs: text per page, identifiers and a title guess from the first page, in a time-limited child process.

Qt-free and storage-free: this part imports only ``desktop_app.domain`` and itself.
"""
