"""Reading uploaded workbooks and CSV files with work bounded by the file's real size.

An xlsx file is a zip archive whose parts state their own sizes, dimensions and counts; each
of these is a claim. Before openpyxl touches a file, the archive's parts are checked against
the limits (declared uncompressed sizes, compression ratio, number of shared strings and
styles, counted in the parts themselves); Python's zipfile never inflates a part beyond its
declared size (a larger stream fails its CRC check), so the declared sizes bound what openpyxl
can read. The sheet's own ``<dimension>`` is ignored (a claim of A1:XFD1048576 would pad every
row to 16,384 cells and add rows up to 1,048,576). Rows, columns and cell lengths are checked
while iterating, and a deadline is checked at every row.

Every refusal is an ``UploadRejected`` naming the rule, the limit and where in the file it was
met; the importers turn it into their own row errors.
"""

from __future__ import annotations

import csv
import io
import re
import time
import zipfile
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from typing import Any

from django.utils.translation import gettext as _
from openpyxl import load_workbook
from openpyxl.utils import get_column_letter

from ecer.web.uploads.limits import Limits

# Parts smaller than this are not checked for their compression ratio: a small part of
# repeated XML may compress very well and still cost nothing to read.
RATIO_CHECK_FROM_BYTES = 1024 * 1024
_PREFIX = rb"(?:[A-Za-z_][\w.-]{0,30}:)?"
SHARED_STRING = re.compile(rb"<" + _PREFIX + rb"si[\s>/]")
STYLE = re.compile(rb"<" + _PREFIX + rb"xf[\s>/]")
_LONGEST_MATCH = 40
_CHUNK = 1024 * 1024

clock = time.monotonic  # module-level so tests drive the deadline without waiting


class UploadRejected(Exception):
    """A file refused by a limit; ``rule`` is a stable key, ``message`` says what and where."""

    def __init__(
        self, rule: str, message: str, *, sheet: str = "-", row: int = 1, column: str = "-"
    ):
        self.rule = rule
        self.message = message
        self.sheet = sheet
        self.row = row
        self.column = column
        super().__init__(f"{rule}: {message}")


@dataclass
class ReadCounters:
    """What reading a file cost; tests assert on these instead of on time."""

    parts_checked: int = 0
    bytes_scanned: int = 0
    workbooks_opened: int = 0
    rows: int = 0
    cells: int = 0
    deadline_checks: int = 0


def new_counters() -> ReadCounters:
    """The counters of one read (tests replace this to observe every read)."""
    return ReadCounters()


class Deadline:
    def __init__(self, seconds: float, counters: ReadCounters):
        self.seconds = seconds
        self.counters = counters
        self.ends = clock() + seconds

    def check(self, *, sheet: str = "-", row: int = 1) -> None:
        self.counters.deadline_checks += 1
        if clock() > self.ends:
            raise UploadRejected(
                "time",
                _("读取和检查文件超过 %(seconds)s 秒的时限，已停止；请拆分成较小的文件")
                % {"seconds": _number(self.seconds)},
                sheet=sheet,
                row=row,
            )


class Reading:
    """One file's limits, counters and deadline, shared by its sheets."""

    def __init__(self, limits: Limits | None = None, *, max_rows: int | None = None):
        self.limits = limits or Limits.from_settings()
        self.max_rows = min(self.limits.rows, max_rows or self.limits.rows)
        self.counters = new_counters()
        self.deadline = Deadline(self.limits.seconds, self.counters)

    def check_row(
        self, sheet: str, number: int, values: Sequence[Any], column_name: Any
    ) -> Sequence[Any]:
        """The row's values within the limits, or UploadRejected naming the rule broken."""
        self.deadline.check(sheet=sheet, row=number)
        if number > self.max_rows + 1:  # the header is row 1
            raise UploadRejected(
                "rows",
                _("数据行数超过上限 %(max)s 行") % {"max": _number(self.max_rows)},
                sheet=sheet,
                row=number,
            )
        limit = self.limits.columns
        if len(values) > limit and any(_filled(v) for v in values[limit:]):
            raise UploadRejected(
                "columns",
                _("列数超过上限 %(max)s 列") % {"max": _number(limit)},
                sheet=sheet,
                row=number,
                column=column_name(limit),
            )
        values = values[:limit]
        self.counters.rows += 1
        self.counters.cells += len(values)
        for index, value in enumerate(values):
            if isinstance(value, str) and len(value) > self.limits.cell_chars:
                raise UploadRejected(
                    "cell",
                    _("单元格内容长度 %(length)s 字符，超过上限 %(max)s 字符")
                    % {"length": _number(len(value)), "max": _number(self.limits.cell_chars)},
                    sheet=sheet,
                    row=number,
                    column=column_name(index),
                )
        return values


def check_archive(content: bytes, reading: Reading) -> None:
    """Refuse an xlsx archive whose parts would cost more than the limits to read."""
    limits = reading.limits
    try:
        archive = zipfile.ZipFile(io.BytesIO(content))
    except (zipfile.BadZipFile, ValueError):
        raise UploadRejected(
            "format", _("无法读取 Excel 文件：不是 zip 压缩包（.xlsx 文件都是 zip 压缩包）")
        ) from None
    with archive:
        parts = archive.infolist()
        if len(parts) > limits.zip_entries:
            raise UploadRejected(
                "zip-entries",
                _("压缩包内有 %(n)s 个部件，超过上限 %(max)s 个")
                % {"n": _number(len(parts)), "max": _number(limits.zip_entries)},
            )
        total = 0
        for part in parts:
            total += part.file_size
            if part.file_size >= RATIO_CHECK_FROM_BYTES and part.file_size > limits.zip_ratio * max(
                part.compress_size, 1
            ):
                raise UploadRejected(
                    "zip-ratio",
                    _("部件 %(part)s 的压缩比超过上限 %(max)s 倍（疑似压缩炸弹）")
                    % {"part": part.filename, "max": _number(limits.zip_ratio)},
                )
        if total > limits.unzipped_bytes:
            raise UploadRejected(
                "zip-size",
                _("解压后共 %(size)s 字节，超过上限 %(max)s 字节")
                % {"size": _number(total), "max": _number(limits.unzipped_bytes)},
            )
        # Shared strings and styles are read whole when the workbook opens: count them first,
        # in every part (a workbook may name its parts as it likes).
        strings = styles = 0
        for part in parts:
            part_strings, part_styles = _count_elements(archive, part, reading)
            strings += part_strings
            styles += part_styles
        if strings > limits.shared_strings:
            raise UploadRejected(
                "shared-strings",
                _("共享字符串 %(n)s 个，超过上限 %(max)s 个")
                % {"n": _number(strings), "max": _number(limits.shared_strings)},
            )
        if styles > limits.styles:
            raise UploadRejected(
                "styles",
                _("单元格格式 %(n)s 种，超过上限 %(max)s 种")
                % {"n": _number(styles), "max": _number(limits.styles)},
            )


def _count_elements(
    archive: zipfile.ZipFile, part: zipfile.ZipInfo, reading: Reading
) -> tuple[int, int]:
    """Shared-string and style elements in one part, read in chunks (matches across chunk
    boundaries are counted once: only those starting before the kept tail)."""
    reading.counters.parts_checked += 1
    strings = styles = 0
    tail = b""
    try:
        with archive.open(part) as stream:
            while True:
                reading.deadline.check()
                data = stream.read(_CHUNK)
                reading.counters.bytes_scanned += len(data)
                buffer = tail + data
                cut = len(buffer) if not data else max(len(buffer) - _LONGEST_MATCH, 0)
                strings += sum(1 for m in SHARED_STRING.finditer(buffer) if m.start() < cut)
                styles += sum(1 for m in STYLE.finditer(buffer) if m.start() < cut)
                if not data:
                    return strings, styles
                tail = buffer[cut:]
    except (zipfile.BadZipFile, OSError, EOFError, NotImplementedError, RuntimeError) as exc:
        raise UploadRejected(
            "format",
            _("无法读取 Excel 文件：部件 %(part)s 已损坏（%(reason)s）")
            % {"part": part.filename, "reason": exc},
        ) from None


class BoundedWorkbook:
    """A workbook opened read-only after its archive passed the limits."""

    def __init__(self, content: bytes, reading: Reading | None = None):
        self.reading = reading or Reading()
        check_archive(content, self.reading)
        try:
            self._book = load_workbook(io.BytesIO(content), read_only=True, data_only=True)
        except Exception as exc:  # openpyxl raises many types for a damaged file
            raise UploadRejected(
                "format", _("无法读取 Excel 文件：%(reason)s") % {"reason": exc}
            ) from None
        self.reading.counters.workbooks_opened += 1

    @property
    def sheetnames(self) -> list[str]:
        return list(self._book.sheetnames)

    def rows(self, name: str | None = None) -> Iterator[tuple[int, Sequence[Any]]]:
        """(row number as the spreadsheet shows it, values) of the named (or first) sheet."""
        sheet = self._book[name] if name is not None else self._book.worksheets[0]
        title = str(sheet.title)
        sheet.reset_dimensions()  # the file's <dimension> is a claim, not a size
        rows = sheet.iter_rows(max_col=self.reading.limits.columns + 1, values_only=True)
        for number, values in enumerate(rows, start=1):
            yield number, self.reading.check_row(title, number, values, _letter)

    def close(self) -> None:
        self._book.close()


def csv_rows(content: bytes, reading: Reading | None = None) -> Iterator[tuple[int, list[str]]]:
    """(row number, cells) of a UTF-8 CSV file (optional BOM), within the limits."""
    reading = reading or Reading()
    try:
        text = content.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise UploadRejected(
            "encoding",
            _("文件不是 UTF-8 编码（第 %(pos)s 字节），请另存为 UTF-8 CSV") % {"pos": exc.start},
            row=content[: exc.start].count(b"\n") + 1,
        ) from None
    reader = csv.reader(io.StringIO(text))
    number = 0
    while True:
        number += 1
        try:
            values = next(reader)
        except StopIteration:
            return
        except csv.Error as exc:
            if "field larger than field limit" in str(exc):
                raise UploadRejected(
                    "cell",
                    _("单元格内容超过上限 %(max)s 字符")
                    % {"max": _number(reading.limits.cell_chars)},
                    row=number,
                ) from None
            raise UploadRejected(
                "format", _("CSV 格式错误：%(reason)s") % {"reason": exc}, row=number
            ) from None
        yield number, list(reading.check_row("-", number, values, _column_number))


def _filled(value: Any) -> bool:
    return value is not None and str(value).strip() != ""


def _letter(index: int) -> str:
    return get_column_letter(index + 1)


def _column_number(index: int) -> str:
    return _("第 %(n)s 列") % {"n": index + 1}


def _number(value: float) -> str:
    return f"{value:,}" if isinstance(value, int) else f"{value:g}"
