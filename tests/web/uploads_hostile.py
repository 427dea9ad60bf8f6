"""Hostile upload files, each breaking one limit of ecer.web.uploads while staying small."""

from __future__ import annotations

import io
import re
import zipfile
from collections.abc import Sequence
from typing import Any

from openpyxl import Workbook, load_workbook

MAIN_NS = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"


def workbook(sheets: dict[str, Sequence[Sequence[Any]]]) -> bytes:
    book = Workbook()
    for index, (title, rows) in enumerate(sheets.items()):
        sheet = book.active if index == 0 else book.create_sheet()
        sheet.title = title
        for row in rows:
            sheet.append(list(row))
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def template_sheets(content: bytes) -> dict[str, list[Any]]:
    """Sheet title -> header row of an import template."""
    book = load_workbook(io.BytesIO(content), read_only=True)
    return {
        name: list(next(book[name].iter_rows(max_row=1, values_only=True), ()))
        for name in book.sheetnames
    }


def with_rows(headers: dict[str, list[Any]], rows: Sequence[Sequence[Any]]) -> bytes:
    """Every sheet of the template with the given rows under its headers."""
    return workbook({name: [header, *rows] for name, header in headers.items()})


def rewrite(content: bytes, change: Any) -> bytes:
    """The archive with each part passed through change(name, data) -> data (None: dropped)."""
    source = zipfile.ZipFile(io.BytesIO(content))
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED, compresslevel=9) as target:
        for info in source.infolist():
            data = change(info.filename, source.read(info))
            if data is not None:
                target.writestr(info.filename, data)
        extra = change("", b"")
        if extra:
            for name, data in extra:
                target.writestr(name, data)
    return buffer.getvalue()


def dimension_lie(content: bytes) -> bytes:
    """Every sheet declares A1:XFD1048576 (16,384 columns × 1,048,576 rows)."""

    def change(name: str, data: bytes) -> Any:
        if name.startswith("xl/worksheets/sheet"):
            return re.sub(rb'<dimension ref="[^"]*"', b'<dimension ref="A1:XFD1048576"', data)
        return data if name else None

    return rewrite(content, change)


def far_cell(content: bytes) -> bytes:
    """Every sheet holds one more cell, at XFD1048576: a sheet a million rows long."""
    cell = (
        b'<row r="1048576"><c r="XFD1048576" t="inlineStr"><is><t>x</t></is></c></row></sheetData>'
    )

    def change(name: str, data: bytes) -> Any:
        if name.startswith("xl/worksheets/sheet"):
            return data.replace(b"</sheetData>", cell).replace(
                b"<sheetData/>", b"<sheetData>" + cell
            )
        return data if name else None

    return rewrite(content, change)


def zip_bomb(content: bytes, inflated_bytes: int) -> bytes:
    """A part of zeros that a few KB of deflate expand to inflated_bytes."""

    def change(name: str, data: bytes) -> Any:
        if not name:
            return [("xl/media/padding.bin", b"\0" * inflated_bytes)]
        return data

    return rewrite(content, change)


def shared_strings_bomb(content: bytes, strings: int) -> bytes:
    """xl/sharedStrings.xml with this many (distinct) strings, declared in the manifest so
    that openpyxl would read them all when the workbook opens."""
    body = b"".join(b"<si><t>%d</t></si>" % i for i in range(strings))
    xml = b'<sst xmlns="%s" uniqueCount="1">%s</sst>' % (MAIN_NS.encode(), body)
    override = (
        b'<Override PartName="/xl/sharedStrings.xml" ContentType="application/'
        b'vnd.openxmlformats-officedocument.spreadsheetml.sharedStrings+xml"/></Types>'
    )

    def change(name: str, data: bytes) -> Any:
        if not name:
            return [("xl/sharedStrings.xml", xml)]
        if name == "xl/sharedStrings.xml":
            return None
        if name == "[Content_Types].xml" and b"sharedStrings" not in data:
            return data.replace(b"</Types>", override)
        return data

    return rewrite(content, change)


def styles_bomb(content: bytes, styles: int) -> bytes:
    """xl/styles.xml with this many cell formats."""
    xf = b'<xf numFmtId="0" fontId="0" fillId="0" borderId="0" xfId="0"/>'
    xml = (
        b'<styleSheet xmlns="%s"><fonts count="1"><font/></fonts><fills count="1"><fill/></fills>'
        b'<borders count="1"><border/></borders><cellXfs count="%d">%s</cellXfs></styleSheet>'
        % (MAIN_NS.encode(), styles, xf * styles)
    )

    def change(name: str, data: bytes) -> Any:
        if name == "xl/styles.xml":
            return xml
        return data if name else None

    return rewrite(content, change)
