"""Files people upload: read within limits set by the file's real size, never by its claims.

Every import reads its file through ``reader`` (bounded zip, workbook and CSV reading), every
upload view is marked with ``registry.import_endpoint`` (tests find unmarked ones from the
URLconf), request bodies over the limit are answered 413 by ``middleware``, and the error
listing of a refused file is capped on the page with the full list kept for download
(``errors``).
"""
