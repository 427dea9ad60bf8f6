"""The limits every upload and import is read within (settings ``ECER_UPLOAD_*``/``ECER_IMPORT_*``).

Read from the settings at each use, so an operator's value (and a test's override) applies
without a restart of the module.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.conf import settings


@dataclass(frozen=True)
class Limits:
    upload_bytes: int  # one uploaded file
    request_bytes: int  # one request body (files and fields together)
    unzipped_bytes: int  # all parts of an xlsx archive, uncompressed, as declared
    zip_ratio: int  # uncompressed / compressed size of any large part
    zip_entries: int  # parts of an xlsx archive
    shared_strings: int  # <si> elements of xl/sharedStrings.xml
    styles: int  # <xf> elements of xl/styles.xml
    rows: int  # data rows of one sheet or CSV file
    columns: int  # cells of one row
    cell_chars: int  # characters of one cell
    seconds: float  # reading and checking one file
    errors_shown: int  # errors listed on the page per sheet
    errors_kept: int  # errors kept for the download

    @classmethod
    def from_settings(cls) -> Limits:
        return cls(
            upload_bytes=settings.ECER_UPLOAD_MAX_BYTES,
            request_bytes=settings.ECER_REQUEST_MAX_BYTES,
            unzipped_bytes=settings.ECER_IMPORT_MAX_UNZIPPED_BYTES,
            zip_ratio=settings.ECER_IMPORT_MAX_ZIP_RATIO,
            zip_entries=settings.ECER_IMPORT_MAX_ZIP_ENTRIES,
            shared_strings=settings.ECER_IMPORT_MAX_SHARED_STRINGS,
            styles=settings.ECER_IMPORT_MAX_STYLES,
            rows=settings.ECER_IMPORT_MAX_ROWS,
            columns=settings.ECER_IMPORT_MAX_COLUMNS,
            cell_chars=settings.ECER_IMPORT_MAX_CELL_CHARS,
            seconds=settings.ECER_IMPORT_MAX_SECONDS,
            errors_shown=settings.ECER_IMPORT_ERRORS_SHOWN,
            errors_kept=settings.ECER_IMPORT_ERRORS_KEPT,
        )
