"""HJ 212 frames: parse, validate, reassemble subpackets, build replies.

Pure module: bytes in, typed values out; no Django, no I/O, no clock.

Frame (HJ 212-2017 ch. 6, communication packet structure): ``##`` + 4-digit data segment
length + data segment + 4-hex-digit CRC (Annex A, see :mod:`ecer.hj212.crc`) + CRLF. Length
and CRC are computed over *bytes*; the data segment is decoded as UTF-8, else GBK.

Data segment: ``QN=…;ST=…;CN=…;PW=…;MN=…;Flag=…;[PNUM=…;PNO=…;]CP=&&…&&``. In CP, items
are separated by ``;`` (groups) and ``,`` (items of one factor); ``DataTime`` is the data
time, ``<code>-Rtd/-Min/-Avg/-Max/-Cou/-ZsRtd/-ZsMin/-ZsAvg/-ZsMax`` are values,
``<code>-Flag`` the data flag (N F M S D C T B), ``<code>-EFlag`` the device's extended
flag, ``<code>-SampleTime`` the sampling time, ``SBxxx-RS``/``SBxxx-RT`` equipment running
state/time, ``<code>-Info`` information items.

Strictness. :data:`STRICT` accepts exactly the HJ 212-2017 data segment; every departure
real data loggers make is a named bool in :class:`TolerancePolicy`, and each one accepted is
recorded in ``Frame.deviations`` by a stable code (the ``DEVIATION_*`` constants). Anything
else broken raises :class:`FrameError` — the only exception :func:`parse_frame` raises for
bad input.

Two parsers, one result. :func:`parse_frame_reference` checks every rule field by field and
locates every error; :func:`parse_frame` first tries a fast path for the shapes real loggers
send (standard header order, CP items that are numbers, data flags, DataTime and plain
items) that checks the data segment with compiled patterns, looks up what a header and a
CP layout seen before decide, and decodes the CP values only when the frame's mappings are
first read; it hands every other frame to the reference. ``tests/hj212/test_fast_path.py``
compares the two on the corpus and on fuzzed frames.
Every tolerant path is linear in the frame's bytes (no offset is searched for a deviation
the policy accepts).

Version (``Frame.version``), decided in this order:

1. Flag present: its version bits V5..V0 (``Flag >> 2``): 0 = HJ/T 212-2005, 1 = HJ 212-2017.
2. Otherwise the factor codes in CP: 2017 codes are a letter + 5 digits (``w01018``), 2005
   codes 2-3 characters (``011``, ``B01``, ``S01``).
3. Otherwise MN length: longer than 14 characters (2017 allows 24) means 2017.
4. Otherwise 2005 — the 2005 standard is the one whose devices omit QN and Flag.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass, field, fields, replace
from datetime import datetime
from itertools import accumulate
from types import MappingProxyType
from typing import Any, Final

from ecer.hj212.crc import format_crc, hj212_crc16, modbus_crc16, swap_bytes
from ecer.hj212.pollutants import is_2005_code, is_2017_code

# Stable machine codes of the deviations a TolerancePolicy can accept.
DEVIATION_MISSING_QN: Final = "missing_qn"
DEVIATION_MISSING_FLAG: Final = "missing_flag"
DEVIATION_DATATIME_MILLISECONDS: Final = "datatime_milliseconds"
DEVIATION_DUPLICATE_KEY: Final = "duplicate_key"
DEVIATION_VENDOR_COMMAND: Final = "vendor_command"
DEVIATION_OVERSIZE: Final = "oversize_data_segment"
DEVIATION_MODBUS_CRC_SWAPPED: Final = "modbus_crc_byte_swapped"
DEVIATION_INVALID_ST: Final = "invalid_st"
DEVIATION_UNKNOWN_FIELD: Final = "unknown_field"
DEVIATION_UNKNOWN_DATA_FLAG: Final = "unknown_data_flag"
DEVIATION_UNKNOWN_FLAG_VERSION: Final = "unknown_flag_version"
DEVIATION_MISSING_PACKET_NUMBERS: Final = "missing_packet_numbers"

# No measured quantity comes near this; a larger (or 400-digit, i.e. infinite) value is a
# logger fault. The same bound as every stored float of the platform (ecer.web.numbers).
MAX_VALUE_MAGNITUDE = 1e15
# HJ 212-2017 ch. 6: the data segment holds at most 1024 bytes.
MAX_DATA_SEGMENT = 1024

# HJ 212-2017 data flag table (数据标记): meaning of <code>-Flag values.
DATA_FLAGS: Final[Mapping[str, str]] = MappingProxyType(
    {
        "N": "在线监控（监测）仪器仪表工作正常",
        "F": "在线监控（监测）仪器仪表停运",
        "M": "在线监控（监测）仪器仪表处于维护期间产生的数据",
        "S": "手工输入的设定值",
        "D": "在线监控（监测）仪器仪表故障",
        "C": "在线监控（监测）仪器仪表处于校准状态",
        "T": "在线监控（监测）仪器仪表采样数值超过测量上限",
        "B": "在线监控（监测）仪器仪表与数采仪通讯异常",
    }
)

# Command codes (CN) of HJ 212-2017 and HJ/T 212-2005 together; others are vendor commands.
# fmt: off
KNOWN_COMMANDS: Final = frozenset(
    {
        # Initialisation and parameter commands.
        "1000", "1001", "1011", "1012", "1013", "1021", "1022", "1031", "1032", "1041",
        "1042", "1061", "1062", "1063", "1064", "1072",
        # Data commands.
        "2011", "2012", "2021", "2022", "2031", "2041", "2051", "2061", "2071", "2072",
        "2081",
        # Control commands.
        "3011", "3012", "3013", "3014", "3015", "3016", "3017", "3018", "3019", "3020",
        "3021",
        # Interaction commands: request response, execution result, notice/data response.
        "9011", "9012", "9013", "9014",
    }
)
# fmt: on

# CP suffixes whose values are numbers (HJ 212-2017 field dictionary; Zs = 折算, converted).
NUMERIC_SUFFIXES: Final = frozenset(
    {"Rtd", "Min", "Avg", "Max", "Cou", "ZsRtd", "ZsMin", "ZsAvg", "ZsMax", "ZsCou", "Ala"}
)
# CP suffixes carrying a data flag letter.
FLAG_SUFFIXES: Final = frozenset({"Flag", "ZsFlag"})
# CP suffixes of equipment items (running state, running time).
EQUIPMENT_SUFFIXES: Final = frozenset({"RS", "RT"})

_HEADER_FIELDS: Final = ("QN", "ST", "CN", "PW", "MN", "Flag", "PNUM", "PNO")
_HEX_BYTES: Final = b"0123456789abcdefABCDEF"
_HEX_DIGITS: Final = frozenset(_HEX_BYTES)
_TEXT_ENCODINGS: Final = ("utf-8", "gbk")


class FrameError(ValueError):
    """A frame that cannot be accepted.

    offset: Position of the fault from the frame's first ``#`` [bytes].
    field: The part at fault: ``header``, ``length``, ``CRC``, ``QN``, ``w01018-Rtd``, ….
    reason: What is wrong (English).
    """

    def __init__(self, offset: int, field: str, reason: str) -> None:
        super().__init__(f"{field}: {reason} (at byte {offset})")
        self.offset = offset
        self.field = field
        self.reason = reason


@dataclass(frozen=True, slots=True)
class TolerancePolicy:
    """Which known deviations from HJ 212-2017 a station's data logger may make.

    Each flag accepts one deviation, recorded on the frame under the code in brackets.
    """

    allow_missing_qn: bool = False  # [missing_qn] no QN (HJ/T 212-2005 uploads)
    allow_missing_flag: bool = False  # [missing_flag] no Flag (HJ/T 212-2005 uploads)
    allow_datatime_milliseconds: bool = False  # [datatime_milliseconds] 17-digit DataTime
    allow_duplicate_keys: bool = False  # [duplicate_key] a key twice; the first value wins
    allow_vendor_commands: bool = False  # [vendor_command] CN outside the standards (8013…)
    allow_oversize: bool = False  # [oversize_data_segment] data segment over 1024 bytes
    allow_modbus_crc_swapped: bool = False  # [modbus_crc_byte_swapped] MODBUS CRC, low first
    allow_invalid_st: bool = False  # [invalid_st] ST not two digits (e.g. NUL bytes)
    allow_unknown_fields: bool = False  # [unknown_field] header field not in the standard
    allow_unknown_data_flags: bool = False  # [unknown_data_flag] flag outside N F M S D C T B
    allow_unknown_flag_version: bool = False  # [unknown_flag_version] version bits not 0/1
    allow_missing_packet_numbers: bool = False  # [missing_packet_numbers] D set, no PNUM/PNO


STRICT: Final = TolerancePolicy()
LENIENT: Final = TolerancePolicy(**{f.name: True for f in fields(TolerancePolicy)})

Value = float | str


@dataclass(frozen=True, slots=True)
class Frame:
    """A parsed, validated frame.

    version: ``"2017"`` or ``"2005"`` (see the module docstring for the heuristic).
    qn: Request code, ``YYYYMMDDhhmmsszzz``; None if absent.
    st: System code (e.g. ``32`` surface water pollution source, ``31`` air, ``91`` system).
    cn: Command code.
    pw: Access password.
    mn: Device (monitoring point) identifier.
    flag: Flag byte (version bits, D = subpackets, A = reply required); None if absent.
    pnum: Total number of subpackets, if subpacketed.
    pno: This subpacket's number (1-based), if subpacketed.
    data_time: CP DataTime, local time of the data logger (no zone in the standard).
    pollutants: Per factor code, its values: numbers for Rtd/Min/Avg/Max/Cou/Zs*/Ala
        [the factor's unit, see ecer.hj212.pollutants], strings for Flag/EFlag/SampleTime/….
    equipment: Per equipment code (``SB1``), ``RS`` running state / ``RT`` running time [h].
    info: Per information code, its ``-Info`` value.
    items: The other CP items (``QnRtn``, ``ExeRtn``, ``PolId``, ``HeartbeatTime``, …).
    cp: The CP body as received (between ``CP=&&`` and the closing ``&&``).
    deviations: Codes of the deviations accepted, in order of first occurrence.
    """

    version: str
    qn: str | None
    st: str
    cn: str
    pw: str
    mn: str
    flag: int | None
    pnum: int | None
    pno: int | None
    data_time: datetime | None
    pollutants: Mapping[str, Mapping[str, Value]]
    equipment: Mapping[str, Mapping[str, str]]
    info: Mapping[str, str]
    items: Mapping[str, str]
    cp: str
    deviations: tuple[str, ...] = ()

    @property
    def reply_required(self) -> bool:
        """Flag bit A: the sender expects a response."""
        return self.flag is not None and bool(self.flag & 1)

    @property
    def has_packet_numbers(self) -> bool:
        """Flag bit D: the frame carries PNUM/PNO (it is one subpacket of several)."""
        return self.flag is not None and bool(self.flag & 2)


class _Deviations:
    """Collects accepted deviations, or raises when the policy does not allow one."""

    __slots__ = ("codes",)

    def __init__(self) -> None:
        self.codes: list[str] = []

    def accept(self, allowed: bool, code: str, offset: int, where: str, reason: str) -> None:
        if not allowed:
            raise FrameError(offset, where, reason)
        if code not in self.codes:
            self.codes.append(code)


def parse_frame_reference(
    data: bytes | bytearray | memoryview, policy: TolerancePolicy = STRICT
) -> Frame:
    """The reference parser: every rule checked field by field, every error located.

    :func:`parse_frame` gives the same result (tests compare them on the corpus and on
    fuzzed input); it takes a shortcut for the frames real loggers send and comes here for
    everything else.
    """
    raw = bytes(data)
    size = len(raw)
    if size < 12:
        raise FrameError(0, "frame", f"{size} bytes is shorter than the 12-byte minimum")
    if raw[:2] != b"##":
        raise FrameError(0, "header", "frame does not start with '##'")
    if raw[-2:] != b"\r\n":
        raise FrameError(size - 2, "trailer", "frame does not end with CRLF")
    length_text = raw[2:6]
    if not length_text.isdigit():
        raise FrameError(2, "length", f"{length_text!r} is not 4 decimal digits")
    declared = int(length_text)
    segment = raw[6:-6]
    if declared != len(segment):
        raise FrameError(
            2, "length", f"header declares {declared} bytes, the data segment has {len(segment)}"
        )
    deviations = _Deviations()
    if declared > MAX_DATA_SEGMENT:
        deviations.accept(
            policy.allow_oversize,
            DEVIATION_OVERSIZE,
            2,
            "length",
            f"data segment of {declared} bytes exceeds the standard's {MAX_DATA_SEGMENT}",
        )
    _check_crc(raw, segment, policy, deviations)
    text, encoding = _decode(segment)
    return _parse_segment(text, encoding, policy, deviations)


def _check_crc(
    raw: bytes, segment: bytes, policy: TolerancePolicy, deviations: _Deviations
) -> None:
    crc_offset = len(raw) - 6
    crc_text = raw[-6:-2]
    if not all(byte in _HEX_DIGITS for byte in crc_text):
        raise FrameError(crc_offset, "CRC", f"{crc_text!r} is not 4 hexadecimal digits")
    carried = int(crc_text, 16)
    expected = hj212_crc16(segment)
    if carried == expected:
        return
    if policy.allow_modbus_crc_swapped and carried == swap_bytes(modbus_crc16(segment)):
        deviations.accept(True, DEVIATION_MODBUS_CRC_SWAPPED, crc_offset, "CRC", "")
        return
    raise FrameError(
        crc_offset,
        "CRC",
        f"frame carries {crc_text.decode('ascii')}, HJ 212 Annex A gives {format_crc(expected)}",
    )


def _decode(segment: bytes) -> tuple[str, str]:
    if segment.isascii():
        return segment.decode("ascii"), "ascii"
    for encoding in _TEXT_ENCODINGS:
        try:
            return segment.decode(encoding), encoding
        except UnicodeDecodeError:
            continue
    raise FrameError(6, "data", "data segment is neither UTF-8 nor GBK text")


class _Locator:
    """Maps a character index in the decoded data segment to a byte offset in the frame."""

    __slots__ = ("_ends", "encoding", "text")

    def __init__(self, text: str, encoding: str) -> None:
        self.text = text
        self.encoding = encoding
        self._ends: list[int] | None = None

    def __call__(self, index: int) -> int:
        if self.encoding == "ascii":
            return 6 + index
        ends = self._ends
        if ends is None:  # byte offset after each character, worked out once per frame
            encoding = self.encoding
            ends = self._ends = [0, *accumulate(len(c.encode(encoding)) for c in self.text)]
        return 6 + ends[max(0, min(index, len(ends) - 1))]


def _parse_segment(
    text: str, encoding: str, policy: TolerancePolicy, deviations: _Deviations
) -> Frame:
    at = _Locator(text, encoding)
    cp_index = text.find("CP=&&")
    if cp_index == -1:
        raise FrameError(at(len(text)), "CP", "no 'CP=&&' in the data segment")
    if cp_index > 0 and text[cp_index - 1] != ";":
        raise FrameError(at(cp_index), "CP", "CP is not separated from the header by ';'")
    if not text.endswith("&&") or len(text) < cp_index + 7:
        raise FrameError(at(len(text)), "CP", "CP is not closed by '&&' at the segment end")
    header = _parse_header(text[: max(cp_index - 1, 0)], at, policy, deviations)
    body_start = cp_index + 5
    cp = text[body_start:-2]
    version_from_flag, flag = _check_header(header, at, policy, deviations)
    cp_data = _parse_cp(cp, body_start, at, policy, deviations)
    return Frame(
        version=version_from_flag or _guess_version(cp_data.pollutants, header["MN"][0]),
        qn=header["QN"][0] if "QN" in header else None,
        st=header["ST"][0],
        cn=header["CN"][0],
        pw=header["PW"][0],
        mn=header["MN"][0],
        flag=flag,
        pnum=_int_field(header, "PNUM", at),
        pno=_int_field(header, "PNO", at),
        data_time=cp_data.data_time,
        pollutants=cp_data.pollutants,
        equipment=cp_data.equipment,
        info=cp_data.info,
        items=cp_data.items,
        cp=cp,
        deviations=tuple(deviations.codes),
    )


def _parse_header(
    text: str, at: _Locator, policy: TolerancePolicy, deviations: _Deviations
) -> dict[str, tuple[str, int]]:
    """Header fields as name -> (value, character index of the value)."""
    header: dict[str, tuple[str, int]] = {}
    index = 0
    for part in text.split(";") if text else ():
        name, sep, value = part.partition("=")
        if not sep:
            raise FrameError(at(index), "header", f"field {part!r} has no '='")
        if name not in _HEADER_FIELDS:
            deviations.accept(
                policy.allow_unknown_fields,
                DEVIATION_UNKNOWN_FIELD,
                at(index),
                name or "header",
                f"{name!r} is not a field of the data segment",
            )
        elif name in header:
            deviations.accept(
                policy.allow_duplicate_keys,
                DEVIATION_DUPLICATE_KEY,
                at(index),
                name,
                "field appears twice",
            )
        else:
            header[name] = (value, index + len(name) + 1)
        index += len(part) + 1
    return header


def _check_header(
    header: dict[str, tuple[str, int]],
    at: _Locator,
    policy: TolerancePolicy,
    deviations: _Deviations,
) -> tuple[str | None, int | None]:
    """Validate the header; return (version from the Flag bits or None, Flag value)."""
    end = at(0)
    if "QN" in header:
        qn, index = header["QN"]
        if len(qn) != 17 or not _is_digits(qn):
            raise FrameError(at(index), "QN", f"{qn!r} is not YYYYMMDDhhmmsszzz (17 digits)")
    else:
        deviations.accept(policy.allow_missing_qn, DEVIATION_MISSING_QN, end, "QN", "QN missing")
    for name in ("ST", "CN", "PW", "MN"):
        if name not in header:
            raise FrameError(end, name, f"required field {name} missing")
    st, index = header["ST"]
    if len(st) != 2 or not _is_digits(st):
        deviations.accept(
            policy.allow_invalid_st,
            DEVIATION_INVALID_ST,
            at(index),
            "ST",
            f"{st!r} is not a 2-digit system code",
        )
    cn, index = header["CN"]
    if len(cn) != 4 or not _is_digits(cn):
        raise FrameError(at(index), "CN", f"{cn!r} is not a 4-digit command code")
    if cn not in KNOWN_COMMANDS:
        deviations.accept(
            policy.allow_vendor_commands,
            DEVIATION_VENDOR_COMMAND,
            at(index),
            "CN",
            f"command {cn} is not defined by HJ 212-2017 or HJ/T 212-2005",
        )
    mn, index = header["MN"]
    if not mn or len(mn) > 24:
        raise FrameError(at(index), "MN", f"{mn!r} is not a 1-24 character device identifier")
    flag: int | None = None
    version: str | None = None
    if "Flag" in header:
        text, index = header["Flag"]
        if not 1 <= len(text) <= 3 or not _is_digits(text) or int(text) > 255:
            raise FrameError(at(index), "Flag", f"{text!r} is not an integer 0-255")
        flag = int(text)
        version_bits = flag >> 2  # HJ 212-2017 Flag = V5 V4 V3 V2 V1 V0 D A
        if version_bits == 0:
            version = "2005"
        elif version_bits == 1:
            version = "2017"
        else:
            deviations.accept(
                policy.allow_unknown_flag_version,
                DEVIATION_UNKNOWN_FLAG_VERSION,
                at(index),
                "Flag",
                f"version bits {version_bits:06b} name neither HJ/T 212-2005 nor HJ 212-2017",
            )
    else:
        deviations.accept(
            policy.allow_missing_flag, DEVIATION_MISSING_FLAG, end, "Flag", "Flag missing"
        )
    _check_packet_numbers(header, flag, at, policy, deviations)
    return version, flag


def _check_packet_numbers(
    header: dict[str, tuple[str, int]],
    flag: int | None,
    at: _Locator,
    policy: TolerancePolicy,
    deviations: _Deviations,
) -> None:
    present = ("PNUM" in header) + ("PNO" in header)
    if present == 1:
        name = "PNO" if "PNUM" in header else "PNUM"
        raise FrameError(at(0), name, "PNUM and PNO must appear together")
    if present == 0:
        if flag is not None and flag & 2:
            deviations.accept(
                policy.allow_missing_packet_numbers,
                DEVIATION_MISSING_PACKET_NUMBERS,
                at(0),
                "Flag",
                "Flag bit D announces PNUM/PNO but they are missing",
            )
        return
    pnum = _int_field(header, "PNUM", at) or 0
    pno = _int_field(header, "PNO", at) or 0
    if pnum < 1 or not 1 <= pno <= pnum:
        raise FrameError(at(header["PNO"][1]), "PNO", f"packet {pno} of {pnum} is out of range")
    if flag is not None and not flag & 2:
        raise FrameError(at(header["Flag"][1]), "Flag", "PNUM/PNO present but Flag bit D is 0")


def _int_field(header: dict[str, tuple[str, int]], name: str, at: _Locator) -> int | None:
    if name not in header:
        return None
    text, index = header[name]
    if not 1 <= len(text) <= 9 or not _is_digits(text):
        raise FrameError(at(index), name, f"{text!r} is not a positive integer")
    return int(text)


@dataclass(slots=True)
class _CpData:
    data_time: datetime | None = None
    pollutants: dict[str, dict[str, Value]] = field(default_factory=dict)
    equipment: dict[str, dict[str, str]] = field(default_factory=dict)
    info: dict[str, str] = field(default_factory=dict)
    items: dict[str, str] = field(default_factory=dict)


def _parse_cp(
    cp: str, start: int, at: _Locator, policy: TolerancePolicy, deviations: _Deviations
) -> _CpData:
    # The hot loop of the codec: ';' (groups) and ',' (items of a group) both separate
    # items, so one flat split does; offsets are only worked out when an error needs one.
    data = _CpData()
    pollutants = data.pollutants
    numeric = NUMERIC_SUFFIXES
    flags = DATA_FLAGS
    for item in cp.replace(",", ";").split(";"):
        if not item:
            continue
        key, sep, value = item.partition("=")
        if not sep or not key:
            raise FrameError(at(start + _item_index(cp, item)), "CP", f"{item!r} is not key=value")
        code, dash, suffix = key.partition("-")
        if suffix in numeric:
            # A decimal number as the standard writes it: optional sign, digits, one point.
            digits = value[1:] if value[:1] in "-+" and value else value
            if not (digits.isascii() and digits.replace(".", "", 1).isdigit()):
                offset = at(start + _item_index(cp, item) + len(key) + 1)
                raise FrameError(offset, key, f"{value!r} is not a number")
            values = pollutants.get(code)
            if values is None:
                values = pollutants[code] = {}
            elif suffix in values:
                _duplicate(cp, start, key, at, policy, deviations)
                continue  # the first value wins
            number = float(value)
            if not abs(number) <= MAX_VALUE_MAGNITUDE:  # also catches 400 digits → inf
                offset = at(start + _item_index(cp, item) + len(key) + 1)
                raise FrameError(offset, key, f"{value[:40]!r} is beyond ±{MAX_VALUE_MAGNITUDE:g}")
            values[suffix] = number
        elif suffix in FLAG_SUFFIXES:
            values = pollutants.setdefault(code, {})
            if suffix in values:
                _duplicate(cp, start, key, at, policy, deviations)
                continue
            if value not in flags:
                allowed = policy.allow_unknown_data_flags
                deviations.accept(
                    allowed,
                    DEVIATION_UNKNOWN_DATA_FLAG,
                    0 if allowed else at(start + _item_index(cp, item) + len(key) + 1),
                    key,
                    f"{value!r} is not a data flag (N F M S D C T B)",
                )
            values[suffix] = value
        else:
            _other_item(key, code, dash, suffix, value, cp, start, data, at, policy, deviations)
    return data


def _duplicate(
    cp: str, start: int, key: str, at: _Locator, policy: TolerancePolicy, deviations: _Deviations
) -> None:
    """Record (or refuse) a key seen twice in CP; the offset is its second occurrence."""
    if policy.allow_duplicate_keys:  # no offset needed: linear however many duplicates
        deviations.accept(True, DEVIATION_DUPLICATE_KEY, 0, key, "")
        return
    first = _key_index(cp, key, 0)
    second = _key_index(cp, key, first + 1) if first >= 0 else -1
    offset = at(start + max(second, 0))
    deviations.accept(
        policy.allow_duplicate_keys, DEVIATION_DUPLICATE_KEY, offset, key, "key appears twice"
    )


def _item_index(cp: str, item: str) -> int:
    """Index of the first whole item ``item`` in ``cp`` (items end at ';', ',' or the end)."""
    index = 0
    for part in _SEPARATORS.split(cp):  # one pass: linear however the item repeats
        if part == item:
            return index
        index += len(part) + 1
    return 0


def _key_index(cp: str, key: str, begin: int) -> int:
    """Index of the item ``key=…`` in ``cp`` at or after ``begin``, or -1."""
    needle = key + "="
    index = 0
    for part in _SEPARATORS.split(cp):
        if index >= begin and part.startswith(needle):
            return index
        index += len(part) + 1
    return -1


_SEPARATORS: Final = re.compile("[;,]")


def _other_item(
    key: str,
    code: str,
    dash: str,
    suffix: str,
    value: str,
    cp: str,
    start: int,
    data: _CpData,
    at: _Locator,
    policy: TolerancePolicy,
    deviations: _Deviations,
) -> None:
    if not dash:
        if key in data.items or (key == "DataTime" and data.data_time is not None):
            _duplicate(cp, start, key, at, policy, deviations)
        elif key == "DataTime":
            offset = at(start + _key_index(cp, key, 0) + len(key) + 1)
            data.data_time = _parse_data_time(value, offset, policy, deviations)
        else:
            data.items[key] = value
        return
    target: dict[str, str] | dict[str, Value]
    if suffix in EQUIPMENT_SUFFIXES:
        target = data.equipment.setdefault(code, {})
    elif suffix == "Info":
        if code in data.info:
            _duplicate(cp, start, key, at, policy, deviations)
        else:
            data.info[code] = value
        return
    else:
        target = data.pollutants.setdefault(code, {})
    if suffix in target:
        _duplicate(cp, start, key, at, policy, deviations)
    else:
        target[suffix] = value


def _parse_data_time(
    value: str, offset: int, policy: TolerancePolicy, deviations: _Deviations
) -> datetime:
    if len(value) == 17 and _is_digits(value):
        deviations.accept(
            policy.allow_datatime_milliseconds,
            DEVIATION_DATATIME_MILLISECONDS,
            offset,
            "DataTime",
            f"{value!r} has milliseconds; the standard's DataTime is YYYYMMDDhhmmss",
        )
        millis = int(value[14:])
    elif len(value) == 14 and _is_digits(value):
        millis = 0
    else:
        raise FrameError(offset, "DataTime", f"{value!r} is not YYYYMMDDhhmmss")
    try:
        return datetime(
            int(value[0:4]),
            int(value[4:6]),
            int(value[6:8]),
            int(value[8:10]),
            int(value[10:12]),
            int(value[12:14]),
            millis * 1000,
        )
    except ValueError as exc:
        raise FrameError(offset, "DataTime", f"{value!r} is not a valid time: {exc}") from None


def _is_digits(text: str) -> bool:
    return text.isascii() and text.isdigit()


def _guess_version(pollutants: Mapping[str, object], mn: str) -> str:
    for code in pollutants:
        if is_2017_code(code):
            return "2017"
        if is_2005_code(code):
            return "2005"
    return "2017" if len(mn) > 14 else "2005"


# --- the fast path ---------------------------------------------------------------------
#
# Real loggers send a few shapes of frame: header fields in the standard's order, CP items
# that are numbers, data flags, a DataTime and a few plain items, and the same header and
# the same items frame after frame. For those, ``parse_frame`` checks the data segment with
# compiled patterns (C code, not a Python loop per item): a header text (its QN apart) is
# checked once (_Header); the CP's numbers and times are checked by the one pattern that
# takes them out, and what is left, its skeleton, names a key set checked before
# (_TYPED_VALUES); only a header or a skeleton not seen yet costs the checks one by one.
# Before all that, a data segment laid out as one taken before, and the same as it but for
# the digits of those values, is taken on what was decided on that one (_Layout): two
# translations and two lookups. The values stay in the CP text: the frame's pollutants,
# equipment, info and items are decoded on first use. Whatever the patterns do not vouch
# for goes to :func:`parse_frame_reference` whole, so errors, their offsets and every
# deviation come from one implementation.

_NUMERIC_ALTERNATIVES: Final = "Rtd|Avg|Min|Max|Cou|ZsRtd|ZsAvg|ZsMin|ZsMax|ZsCou|Ala"
_FLAG_ALTERNATIVES: Final = "Flag|ZsFlag"
assert set(_NUMERIC_ALTERNATIVES.split("|")) == NUMERIC_SUFFIXES
assert set(_FLAG_ALTERNATIVES.split("|")) == FLAG_SUFFIXES
assert set(DATA_FLAGS) == set("NFMSDCTB")
# A number the reference accepts: sign, digits with at most one point; at most 15 digits
# before the point, so that it is below MAX_VALUE_MAGNITUDE without converting it.
_NUMBER: Final = r"[-+]?+(?:[0-9]{1,15}+(?:\.[0-9]*+)?+|\.[0-9]++)"
_ITEM_END: Final = r"(?:[;,]|\Z)"
# One CP item: its key (the group), checked against its value by lookaheads, then the value.
_FAST_ITEM: Final = re.compile(
    rf"([A-Za-z0-9]++-(?:(?:{_NUMERIC_ALTERNATIVES})(?==(?>{_NUMBER}){_ITEM_END})"
    rf"|(?:{_FLAG_ALTERNATIVES})(?==[NFMSDCTB]{_ITEM_END})"
    rf"|(?!(?:{_NUMERIC_ALTERNATIVES}|{_FLAG_ALTERNATIVES})=)[A-Za-z0-9][A-Za-z0-9-]*+)"
    rf"|DataTime(?==[0-9]{{14}}(?:[0-9]{{3}})?{_ITEM_END})"
    rf"|(?!DataTime=)[A-Za-z][A-Za-z0-9]*+)=[^;,=]*+[;,]?"
)
_FIRST_DATA_TIME: Final = re.compile(r"(?:^|[;,])DataTime=([0-9]+)")
# The header of a data segment the fast path takes, QN apart (see _learn).
_FAST_HEADER: Final = re.compile(
    r"ST=([0-9]{2});CN=([0-9]{4});PW=([^;]*);MN=([^;]{1,24});(?:Flag=([0-9]{1,3});)?"
)


def _ends_with(suffixes: Iterable[str]) -> str:
    """A pattern true where the text before ends with one of ``suffixes`` (lookbehinds
    are of fixed width: one per length)."""
    by_length: dict[int, list[str]] = {}
    for suffix in sorted(suffixes):
        by_length.setdefault(len(suffix), []).append(re.escape(suffix))
    return "|".join(f"(?<={'|'.join(group)})" for group in by_length.values())


# The skeleton of a CP: the CP without the values that change from frame to frame (numbers,
# times, a reply's QN), i.e. its keys, separators and other items (data flags, which rarely
# change, included). _TYPED_VALUES finds '=' + such a value + nothing before the item's end
# (its split keeps them: the skeleton is the pieces between them), the type of value named
# by the end of its key: a number after a key ending in a numeric suffix, 14 or 17 digits
# after one ending in 'Time', 17 after 'QN'. Each accepts only values that every key ending
# so accepts (a number is a plain item's value too). A skeleton stands for the items of the
# checked CP it came from when the item ends whose text before says "a value of a type may
# go here" (_TYPED_END) are as many as the values taken out (so they are all ends of keys
# whose value was taken out): a CP with the same skeleton and as many '=' is then the same
# items with one value of the type checked after each of those keys (values hold no '=', ';'
# or ','; the item ends are the only places a taken-out value can go back, each takes one).
_NUMERIC_KEY_ENDS: Final = tuple("-" + suffix for suffix in NUMERIC_SUFFIXES)
_TYPED_VALUES: Final = re.compile(
    rf"(=(?:(?:{_ends_with(end + '=' for end in _NUMERIC_KEY_ENDS)})(?>{_NUMBER})"
    rf"|(?<=Time=)[0-9]{{14}}(?:[0-9]{{3}})?|(?<=QN=)[0-9]{{17}})(?=[;,]|\Z))"
)
# (The item's end first: it fails at once where most places fail, the key ends after it.)
_TYPED_END: Final = re.compile(rf"(?=[;,]|\Z)(?:{_ends_with((*_NUMERIC_KEY_ENDS, 'Time', 'QN'))})")
_NOT_POLLUTANT_SUFFIXES: Final = frozenset({"RS", "RT", "Info"})
_data_times: dict[str, datetime] = {}  # DataTime text -> value (bounded, see _data_time)


def parse_frame(data: bytes | bytearray | memoryview, policy: TolerancePolicy = STRICT) -> Frame:
    """Parse one complete frame, ``##`` through CRLF.

    data: The frame bytes, as yielded by :class:`ecer.hj212.framing.FrameSplitter`.
    policy: Deviations to accept (:data:`STRICT` by default).
    Raises FrameError, and only FrameError, for a frame that cannot be accepted.
    Same result as :func:`parse_frame_reference`, faster for the common shapes: whatever
    the fast path below does not vouch for goes to the reference whole.
    """
    raw = data if type(data) is bytes else bytes(data)
    size = len(raw)
    if size - 12 > MAX_DATA_SEGMENT or raw[-2:] != b"\r\n" or raw[:2] != b"##":
        return parse_frame_reference(raw, policy)
    length = raw[2:6]
    if not length.isdigit() or int(length) != size - 12:
        return parse_frame_reference(raw, policy)
    crc_text = raw[-6:-2]
    segment = raw[6:-6]
    if crc_text.translate(None, _HEX_BYTES) or int(crc_text, 16) != hj212_crc16(segment):
        return parse_frame_reference(raw, policy)
    # A data segment laid out as one taken before (the same bytes but for digits) that
    # differs from it only in the digits of its QN, numbers and times is what that one
    # was, with these values (see _Layout); any other is checked and learnt (_learn).
    mask = segment.translate(_DIGITS_AS_ZERO)
    layout = _layouts.get(mask)
    template = (
        None if layout is None else layout.templates.get(int.from_bytes(segment) & layout.fixed)
    )
    if template is None or template.policy is not policy:
        learnt = _learn(segment, mask, policy)
        if learnt is None:
            return parse_frame_reference(raw, policy)
        layout, template = learnt
    assert layout is not None  # where its template was found
    text = segment.decode("ascii")  # as the one learnt: ASCII
    data_time = None
    time_at = layout.time_at
    if time_at:
        value = text[time_at : layout.time_end]
        data_time = _data_times.get(value) or _data_time(value)
        if data_time is None:
            return parse_frame_reference(raw, policy)
    body = text[layout.body_at : -2]
    shape = template.shape
    lazy = _new(_LazyCp)  # _LazyCp(body, shape) without the call: half the time
    lazy.body = body
    lazy.shape = shape
    lazy._data = None
    # Frame(...) built as its twin of the same layout, by plain slot assignments, then
    # given Frame's class: the frozen dataclass's __init__ goes through object.__setattr__
    # for each of its 16 fields, five times as slow.
    frame: Any = _new(_FrameSlots)  # a Frame's slots, filled below
    frame.version = template.version
    frame.qn = text[3:20] if layout.qn else None
    frame.st = template.st
    frame.cn = template.cn
    frame.pw = template.pw
    frame.mn = template.mn
    frame.flag = template.flag
    frame.pnum = None
    frame.pno = None
    frame.data_time = data_time
    frame.pollutants = lazy
    if shape.plain:  # no equipment, information or other items: shared empty mappings
        frame.equipment = _NO_EQUIPMENT
        frame.info = _NO_INFO
        frame.items = _NO_ITEMS
    else:
        frame.equipment = _LazyMapping(lazy, 1) if shape.equipment else _NO_EQUIPMENT
        frame.info = _LazyMapping(lazy, 2) if shape.info else _NO_INFO
        frame.items = _LazyMapping(lazy, 3) if shape.items else _NO_ITEMS
    frame.cp = body
    frame.deviations = template.codes
    frame.__class__ = Frame
    return frame  # type: ignore[no-any-return]


def _learn(
    segment: bytes, mask: bytes, policy: TolerancePolicy
) -> tuple[_Layout, _Template] | None:
    """Check a data segment not laid out as one taken before; if the fast path takes it,
    remember what it decided (its _Template) under its layout and return both, else None."""
    try:
        text = segment.decode("ascii")
    except UnicodeDecodeError:  # UTF-8 or GBK text: the reference decodes it
        return None
    # The data segment is header + 'CP=&&' + CP + '&&' (the first 'CP=&&', as the reference
    # finds it). A logger sends the same header frame after frame but for its QN: the rest
    # is looked up (see _Header).
    cp_at = text.find("CP=&&")
    if cp_at == -1 or text[-2:] != "&&" or len(text) < cp_at + 7:
        return None
    if text.startswith("QN="):
        qn = text[3:20]
        if text[20:21] != ";" or not qn.isdigit():
            return None
        header_text = text[20:cp_at]  # ';ST=…': never the text of a header without QN
    else:
        header_text = text[:cp_at]
    header = _headers.get(header_text)
    if header is None:
        header = _Header.parse(header_text)
    memo = header.memo
    if memo[0] is not policy:
        memo = header.apply(policy)
    codes = memo[1]
    if codes is None:
        return None
    body_at = cp_at + 5
    body = text[body_at:-2]
    # Loggers send the same items frame after frame: the CP without the values that change
    # (its skeleton) names items already checked, and what their keys decide is looked up.
    # Only a skeleton not seen yet costs the split of CP at its items (_checked_shape).
    pieces = _TYPED_VALUES.split(body)  # between values, a value, …
    skeleton = "".join(pieces[::2])
    known = _skeletons.get(skeleton)
    if known is not None and body.count("=") == known[1]:
        shape = known[0]
    else:
        checked = _checked_shape(body, skeleton)
        if checked is None:
            return None
        shape = checked
    time_at = time_end = 0
    if shape.has_time:
        if shape.time_first:  # as loggers send it: the first item
            time_at = 9
            value = body[9:26]
            if not value.isdigit():  # 14 digits and the next item (checked: 14 or 17)
                value = value[:14]
        else:
            found = _FIRST_DATA_TIME.search(body)
            time_at = found.start(1)  # type: ignore[union-attr]
            value = found.group(1)  # type: ignore[union-attr]
        if _data_times.get(value) is None and _data_time(value) is None:
            return None
        if len(value) == 17:
            if not policy.allow_datatime_milliseconds:
                return None
            codes += shape.codes_with_milliseconds
        else:
            codes += shape.codes
        time_at += body_at
        time_end = time_at + len(value)
    else:
        codes += shape.codes
    if shape.duplicates and not policy.allow_duplicate_keys:
        return None
    layout = _layouts.get(mask)
    if layout is None:
        layout = _Layout(text, body_at, text.startswith("QN="), time_at, time_end, pieces)
    template = _Template(policy, header, shape, codes)
    _remember_template(mask, layout, int.from_bytes(segment) & layout.fixed, template)
    return layout, template


class _FrameSlots:
    """A :class:`Frame` being built (see :func:`parse_frame`): the same slots, assignable."""

    __slots__ = Frame.__slots__


_new = object.__new__


class _Header:
    """What the header of a data segment (its QN apart) decides, checked once per header
    text: its fields, and for the last policy used the deviations it makes, or None if the
    fast path cannot take it (``memo``: one tuple, read and replaced whole, as threads may
    parse with different policies)."""

    __slots__ = (
        "cn",
        "flag",
        "memo",
        "missing_qn",
        "mn",
        "pw",
        "st",
        "usable",
        "version",
        "version_from_mn",
    )

    def __init__(self) -> None:
        self.memo: tuple[TolerancePolicy | None, tuple[str, ...] | None] = (None, None)
        self.usable = False
        self.missing_qn = True
        self.st = self.cn = self.pw = self.mn = ""
        self.flag: int | None = None
        self.version: str | None = None
        self.version_from_mn = ""

    @classmethod
    def parse(cls, text: str) -> _Header:
        """The header ``text`` (``;ST=…;`` after a QN, ``ST=…;`` without), remembered."""
        header = cls()
        header.missing_qn = not text.startswith(";")
        match = _FAST_HEADER.fullmatch(text, 0 if header.missing_qn else 1)
        if match is not None:
            st, cn, pw, mn, flag_text = match.groups()
            header.st, header.cn, header.pw, header.mn = st, cn, pw, mn
            header.version_from_mn = "2017" if len(mn) > 14 else "2005"
            header.usable = True
            if flag_text is not None:
                header.flag = flag = int(flag_text)
                # Version bits other than 0/1, or subpackets: the reference's.
                header.usable = not (flag > 7 or flag & 2)
                header.version = "2017" if flag & 4 else "2005"
        _remember(_headers, text, header)
        return header

    def apply(
        self, policy: TolerancePolicy
    ) -> tuple[TolerancePolicy | None, tuple[str, ...] | None]:
        """``memo`` for ``policy``: the deviation codes in the reference's order, or None."""
        self.memo = memo = (policy, self._codes(policy))
        return memo

    def _codes(self, policy: TolerancePolicy) -> tuple[str, ...] | None:
        if not self.usable:
            return None
        codes = []
        if self.missing_qn:
            if not policy.allow_missing_qn:
                return None
            codes.append(DEVIATION_MISSING_QN)
        if self.cn not in KNOWN_COMMANDS:
            if not policy.allow_vendor_commands:
                return None
            codes.append(DEVIATION_VENDOR_COMMAND)
        if self.flag is None:
            if not policy.allow_missing_flag:
                return None
            codes.append(DEVIATION_MISSING_FLAG)
        return tuple(codes)


_headers: dict[str, _Header] = {}  # header text (QN apart) -> what it decides (bounded)


def _remember(cache: dict[Any, Any], key: Any, value: Any, limit: int = 4096) -> None:
    """Keep ``value`` under ``key`` in one of the fast path's caches, which a peer's input
    fills: each holds at most ``limit`` entries (emptied when full)."""
    if len(cache) >= limit:
        cache.clear()
    cache[key] = value


class _Layout:
    """Where a data segment the fast path accepted has the values that change from frame
    to frame: its QN and the values its skeleton leaves out (_TYPED_VALUES).

    A segment of the same bytes but for its digits (the same ``mask``: digits as '0') has
    them in the same places, as these places depend only on which bytes are digits and on
    the others. If it also has the same bytes everywhere else (``fixed``: those bytes kept,
    those places cleared) it is the accepted one with other digits in its values: its
    header text and skeleton are the same, every value is of the same layout, so of the
    type its key asks for, and the reference decides on it as on that one, but for its
    DataTime, converted anew. What that one decided is its _Template.
    """

    __slots__ = ("body_at", "fixed", "qn", "templates", "time_at", "time_end")

    def __init__(
        self, text: str, body_at: int, qn: bool, time_at: int, time_end: int, pieces: list[str]
    ) -> None:
        self.body_at = body_at  # where CP begins
        self.qn = qn
        self.time_at = time_at  # where the first DataTime's value is (0: none)
        self.time_end = time_end
        self.templates: dict[int, _Template] = {}  # the fixed bytes -> what was decided
        # The segment with those values as NUL, then every other byte as FF (pieces: the
        # CP split at those values, kept).
        pieces[1::2] = map("\0".__mul__, map(len, pieces[1::2]))  # the caller's, no longer needed
        head = text[:body_at]
        if qn:
            head = head[:3] + "\0" * 17 + head[20:]
        marked = f"{head}{''.join(pieces)}&&".encode("ascii")
        self.fixed = int.from_bytes(marked.translate(_NUL_OR_FF))  # big-endian, as read


class _Template:
    """What the fast path decided on a data segment under ``policy``: all of its frame
    but its QN, DataTime and values."""

    __slots__ = ("cn", "codes", "flag", "mn", "policy", "pw", "shape", "st", "version")

    def __init__(
        self, policy: TolerancePolicy, header: _Header, shape: _CpShape, codes: tuple[str, ...]
    ) -> None:
        self.policy = policy
        self.shape = shape
        self.codes = codes
        self.version = header.version or shape.version or header.version_from_mn
        self.st, self.cn, self.pw, self.mn = header.st, header.cn, header.pw, header.mn
        self.flag = header.flag


_DIGITS_AS_ZERO: Final = bytes.maketrans(b"123456789", b"000000000")
_NUL_OR_FF: Final = b"\0" + b"\xff" * 255
_layouts: dict[bytes, _Layout] = {}  # mask -> where its values are, what was decided
_TEMPLATES_KEPT: Final = 16_384
_templates_kept = 0  # in the layouts (bounded)


def _remember_template(mask: bytes, layout: _Layout, fixed: int, template: _Template) -> None:
    """Keep ``template`` under its layout (at most 4,096 layouts and 16,384 templates in
    all: the caches are emptied when full, as a peer's input fills them)."""
    global _templates_kept
    if _templates_kept >= _TEMPLATES_KEPT:
        _layouts.clear()
        _templates_kept = 0
    if _layouts.get(mask) is not layout:
        _remember(_layouts, mask, layout)
    layout.templates[fixed] = template
    _templates_kept += 1


def _checked_shape(body: str, skeleton: str) -> _CpShape | None:
    """Check a CP item by item (split at its items: the pieces between them must be empty,
    nothing unchecked) and return the shape of its keys, or None; remember its skeleton
    when that is safe (see :data:`_TYPED_VALUES`)."""
    pieces = _FAST_ITEM.split(body)
    if any(pieces[::2]):
        return None
    keys = tuple(pieces[1::2])
    shape = _shapes.get(keys)
    if shape is None:
        shape = _CpShape(keys)
        _remember(_shapes, keys, shape)
    # The skeleton stands for these items if the places where a value taken out can go
    # back are as many as the values taken out (see _TYPED_VALUES).
    if len(_TYPED_END.findall(skeleton)) == len(keys) - skeleton.count("="):
        _remember(_skeletons, skeleton, (shape, len(keys)))
    return shape


class _CpShape:
    """What the keys of a checked CP decide, whatever its values: duplicates, the order of
    its deviations, the version its factor codes suggest, which mappings are not empty."""

    __slots__ = (
        "_plan",
        "codes",
        "codes_with_milliseconds",
        "duplicates",
        "equipment",
        "has_time",
        "info",
        "items",
        "keys",
        "plain",
        "time_first",
        "version",
    )

    def __init__(self, keys: tuple[str, ...]) -> None:
        self.keys = keys
        self._plan: _Plan | None = None
        unique = dict.fromkeys(keys)  # in order of first appearance
        self.has_time = "DataTime" in unique
        self.time_first = keys[:1] == ("DataTime",)
        self.duplicates = len(unique) != len(keys)
        if not self.duplicates:
            self.codes: tuple[str, ...] = ()
            self.codes_with_milliseconds: tuple[str, ...] = (DEVIATION_DATATIME_MILLISECONDS,)
        else:
            self.codes = (DEVIATION_DUPLICATE_KEY,)
            self.codes_with_milliseconds = tuple(_cp_deviations(keys))
        self.version = _version_from_codes(unique)  # "" when the codes do not tell
        suffixes = {key.partition("-")[2] for key in unique}
        self.equipment = "RS" in suffixes or "RT" in suffixes
        self.info = "Info" in suffixes
        self.items = any("-" not in key and key != "DataTime" for key in unique)
        self.plain = not (self.equipment or self.info or self.items)

    def plan(self) -> _Plan:
        """Where the values of a CP with these keys go (worked out once per key set)."""
        plan = self._plan
        if plan is None:
            plan = self._plan = _plan(self.keys)
        return plan


_shapes: dict[tuple[str, ...], _CpShape] = {}  # CP keys -> what they decide (bounded)
# CP skeleton -> (shape of its keys, number of items) (bounded; see _TYPED_VALUES)
_skeletons: dict[str, tuple[_CpShape, int]] = {}


def clear_caches() -> None:
    """Forget the DataTime conversions and CP shapes seen (benchmarks start cold with it)."""
    global _templates_kept
    _shapes.clear()
    _skeletons.clear()
    _headers.clear()
    _data_times.clear()
    _layouts.clear()
    _templates_kept = 0


def _data_time(value: str) -> datetime | None:
    """DataTime text (14 or 17 digits) as a datetime, or None if not a valid time."""
    if value[8:10] > "23":  # an hour 24 (some Pythons read T24:00 as the next day)
        return None
    try:  # YYYYMMDDhhmmss, then milliseconds: ISO 8601's basic format, read in C
        result = datetime.fromisoformat(f"{value[:8]}T{value[8:14]}.{value[14:] or '0'}")
    except ValueError:
        return None
    _remember(_data_times, value, result)
    return result


def _cp_deviations(keys: Iterable[str]) -> list[str]:
    """Deviation codes of a CP with a repeated key and a DataTime with milliseconds, in the
    order the reference finds them (the first of each)."""
    seen: set[str] = set()
    found: list[str] = []
    for key in keys:
        if key in seen:
            if DEVIATION_DUPLICATE_KEY not in found:
                found.append(DEVIATION_DUPLICATE_KEY)
        elif key == "DataTime":
            found.append(DEVIATION_DATATIME_MILLISECONDS)
        seen.add(key)
    return found


def _version_from_codes(keys: Iterable[str]) -> str:
    """:func:`_guess_version` on the codes of CP keys in order, without its MN rule: ""
    when no code has the shape of either standard's."""
    for key in keys:
        code, dash, suffix = key.partition("-")
        if not dash or suffix in _NOT_POLLUTANT_SUFFIXES:
            continue
        if is_2017_code(code):
            return "2017"
        if is_2005_code(code):
            return "2005"
    return ""


class _LazyMapping(Mapping[str, Any]):
    """One of a frame's decoded CP mappings, computed when first read (read-only)."""

    __slots__ = ("_index", "_source")

    def __init__(self, source: _LazyCp, index: int) -> None:
        self._source = source
        self._index = index

    def _mapping(self) -> Mapping[str, object]:
        return self._source.decoded(self._index)

    def __getitem__(self, key: str) -> object:
        return self._mapping()[key]

    def __iter__(self) -> Iterator[str]:
        return iter(self._mapping())

    def __len__(self) -> int:
        return len(self._mapping())

    def __contains__(self, key: object) -> bool:
        return key in self._mapping()

    def keys(self):  # type: ignore[no-untyped-def]
        return self._mapping().keys()

    def items(self):  # type: ignore[no-untyped-def]
        return self._mapping().items()

    def values(self):  # type: ignore[no-untyped-def]
        return self._mapping().values()

    def get(self, key: str, default: object = None) -> object:
        return self._mapping().get(key, default)

    def __eq__(self, other: object) -> bool:
        if isinstance(other, _LazyMapping):
            other = other._mapping()
        return self._mapping() == other

    __hash__ = None  # type: ignore[assignment]

    def __repr__(self) -> str:
        return repr(self._mapping())


class _LazyCp(_LazyMapping):
    """The CP text of a frame the fast path accepted, decoded on first use with the plan of
    its key set; itself the frame's pollutants."""

    __slots__ = ("_data", "body", "shape")

    def __init__(self, body: str, shape: _CpShape) -> None:
        self.body = body
        self.shape = shape
        self._data: tuple[dict[str, Any], ...] | None = None

    def _mapping(self) -> Mapping[str, object]:
        return self.decoded(0)

    def decoded(self, index: int) -> Mapping[str, object]:
        data = self._data
        if data is None:
            data = self._data = _decode_checked(self.body, self.shape.plan())
        return data[index]


_Plan = tuple[
    list[tuple[str, list[tuple[str, int, bool]]]],
    list[tuple[str, list[tuple[str, int]]]],
    list[tuple[str, int]],
    list[tuple[str, int]],
]


def _plan(keys: tuple[str, ...]) -> _Plan:
    """Where each value of a CP with these keys goes, as :func:`_parse_cp` places it: the
    first of a repeated key wins; codes and suffixes in order of first appearance."""
    pollutants: dict[str, dict[str, tuple[int, bool]]] = {}
    equipment: dict[str, dict[str, int]] = {}
    info: dict[str, int] = {}
    items: dict[str, int] = {}
    for index, key in enumerate(keys):
        code, dash, suffix = key.partition("-")
        if not dash:
            if key != "DataTime":
                items.setdefault(key, index)
        elif suffix in EQUIPMENT_SUFFIXES:
            equipment.setdefault(code, {}).setdefault(suffix, index)
        elif suffix == "Info":
            info.setdefault(code, index)
        else:
            numeric = suffix in NUMERIC_SUFFIXES
            pollutants.setdefault(code, {}).setdefault(suffix, (index, numeric))
    return (
        [(c, [(s, i, n) for s, (i, n) in e.items()]) for c, e in pollutants.items()],
        [(c, list(e.items())) for c, e in equipment.items()],
        list(info.items()),
        list(items.items()),
    )


def _decode_checked(body: str, plan: _Plan) -> tuple[dict[str, Any], ...]:
    """What :func:`_parse_cp` builds, for a CP the fast path has checked: no checks left,
    the values put where the plan of its key set says.

    The tests compare the two on the corpus and on fuzzed frames.
    """
    # Every item is key=value with no other '=', ';' or ',' (checked): values in turn.
    values = body.replace(",", ";").replace("=", ";").split(";")[1::2]
    pollutant_plan, equipment_plan, info_plan, item_plan = plan
    return (
        {
            code: {suffix: float(values[i]) if numeric else values[i] for suffix, i, numeric in e}
            for code, e in pollutant_plan
        },
        {code: {suffix: values[i] for suffix, i in e} for code, e in equipment_plan},
        {code: values[i] for code, i in info_plan},
        {key: values[i] for key, i in item_plan},
    )


_NOTHING: Final = _LazyCp("", _CpShape(()))
_NO_EQUIPMENT: Final = _LazyMapping(_NOTHING, 1)  # shared, read-only, empty
_NO_INFO: Final = _LazyMapping(_NOTHING, 2)
_NO_ITEMS: Final = _LazyMapping(_NOTHING, 3)


# --- building frames -------------------------------------------------------------------


def encode_frame(data_segment: str | bytes) -> bytes:
    """Wrap a data segment into a frame: ``##`` + length + segment + CRC + CRLF.

    data_segment: The data segment; text is encoded as UTF-8 (length counts bytes).
    """
    segment = data_segment.encode("utf-8") if isinstance(data_segment, str) else data_segment
    if len(segment) > 9999:
        raise ValueError(f"data segment of {len(segment)} bytes does not fit 4 length digits")
    return b"##%04d%s%s\r\n" % (len(segment), segment, format_crc(hj212_crc16(segment)).encode())


def _response(frame: Frame, cn: str, cp: str) -> bytes:
    # HJ 212-2017 Annex C: responses carry the request's own QN, ST=91 (system interaction),
    # the same PW and MN, and Flag=4 (version 2017, no subpackets, no reply expected).
    qn = f"QN={frame.qn};" if frame.qn is not None else ""
    return encode_frame(f"{qn}ST=91;CN={cn};PW={frame.pw};MN={frame.mn};Flag=4;CP=&&{cp}&&")


def build_data_response(frame: Frame) -> bytes:
    """Data response (CN=9014) to an upload, e.g. ``…;CN=9014;…;Flag=4;CP=&&&&``.

    A frame without QN (HJ/T 212-2005 logger) gets the response without a QN field.
    """
    return _response(frame, "9014", "")


def build_notice_response(frame: Frame) -> bytes:
    """Notice response (CN=9013) to a notice, e.g. ``…;CN=9013;…;Flag=4;CP=&&&&``."""
    return _response(frame, "9013", "")


def build_request_response(frame: Frame, qn_rtn: int = 1) -> bytes:
    """Request response (CN=9011): ``CP=&&QnRtn=<qn_rtn>&&`` (1 = ready to execute)."""
    return _response(frame, "9011", f"QnRtn={qn_rtn}")


# --- subpackets ------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class IncompletePacket:
    """A subpacketed message that timed out before all its subpackets arrived.

    mn, qn, cn: Identify the message. pnum: Subpackets announced. received: PNOs received.
    """

    mn: str
    qn: str | None
    cn: str
    pnum: int
    received: tuple[int, ...]


@dataclass(slots=True)
class _Pending:
    deadline: float
    parts: dict[int, Frame]


class SubpacketAssembler:
    """Reassemble subpacketed messages (Flag bit D, PNUM/PNO) into one frame.

    Pure: the caller passes the current time ``now`` [s] (any monotonic clock).
    timeout: How long after its first subpacket a message may stay incomplete [s].

    A message is identified by (MN, QN, CN, PNUM). Each subpacket is still acknowledged on
    its own by the caller (HJ 212-2017 Annex C, subpacket and response mechanism); this
    class only rebuilds the data. A repeated subpacket (same PNO, e.g. a retransmission
    after a lost response) is ignored and counted in ``duplicates``.
    """

    def __init__(self, timeout: float = 60.0) -> None:
        if timeout <= 0:
            raise ValueError("timeout must be positive")
        self.timeout = timeout
        self.duplicates = 0
        self._pending: dict[tuple[str, str | None, str, int], _Pending] = {}
        self._completed: dict[tuple[str, str | None, str, int], float] = {}

    @property
    def pending(self) -> int:
        """Messages waiting for subpackets."""
        return len(self._pending)

    def add(self, frame: Frame, now: float) -> Frame | None:
        """Add a frame; return the whole message when complete, else None.

        A frame that is not a subpacket is returned as it is.
        """
        if frame.pnum is None or frame.pno is None:
            return frame
        key = (frame.mn, frame.qn, frame.cn, frame.pnum)
        if key in self._completed:
            self.duplicates += 1
            return None
        pending = self._pending.get(key)
        if pending is None:
            pending = self._pending[key] = _Pending(now + self.timeout, {})
        if frame.pno in pending.parts:
            self.duplicates += 1
            return None
        pending.parts[frame.pno] = frame
        if len(pending.parts) < frame.pnum:
            return None
        del self._pending[key]
        self._completed[key] = pending.deadline
        return _merge([pending.parts[number] for number in sorted(pending.parts)])

    def expire(self, now: float) -> list[IncompletePacket]:
        """Drop and return the messages whose timeout has passed at ``now``."""
        expired = [key for key, pending in self._pending.items() if pending.deadline <= now]
        result = []
        for key in expired:
            pending = self._pending.pop(key)
            mn, qn, cn, pnum = key
            result.append(IncompletePacket(mn, qn, cn, pnum, tuple(sorted(pending.parts))))
        for key in [key for key, deadline in self._completed.items() if deadline <= now]:
            del self._completed[key]
        return result


def _merge(parts: Iterable[Frame]) -> Frame:
    frames = list(parts)
    first = frames[0]
    pollutants: dict[str, dict[str, Value]] = {}
    equipment: dict[str, dict[str, str]] = {}
    info: dict[str, str] = {}
    items: dict[str, str] = {}
    deviations: list[str] = []
    data_time = None
    for part in frames:
        for code, values in part.pollutants.items():
            merged = pollutants.setdefault(code, {})
            for suffix, value in values.items():
                merged.setdefault(suffix, value)
        for code, states in part.equipment.items():
            merged_states = equipment.setdefault(code, {})
            for suffix, state in states.items():
                merged_states.setdefault(suffix, state)
        for code, text in part.info.items():
            info.setdefault(code, text)
        for key, text in part.items.items():
            items.setdefault(key, text)
        deviations.extend(code for code in part.deviations if code not in deviations)
        if data_time is None:
            data_time = part.data_time
    return replace(
        first,
        flag=None if first.flag is None else first.flag & ~2,
        pnum=None,
        pno=None,
        data_time=data_time,
        pollutants=pollutants,
        equipment=equipment,
        info=info,
        items=items,
        cp=";".join(part.cp for part in frames if part.cp),
        deviations=tuple(deviations),
    )
