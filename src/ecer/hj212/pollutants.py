"""One catalogue of monitored factors for both HJ 212 code versions.

HJ 212-2017 Annex B (Tables B.1 water, B.2 air) gives each factor a 6-character code
(``w01018`` COD, ``a21026`` SO2, …) and lists the code HJ/T 212-2005 used for it (``011``,
``02``, …). Both codes map to the same :class:`Pollutant` here, so data from old and new
data loggers land on one factor. Names are the standard's Chinese names; ``unit`` is the
unit of real-time/min/avg/max values, ``total_unit`` the unit of the cumulative ``-Cou``
value (``None`` where the standard gives none).

The catalogue is deliberately limited to the factors the platform monitors or that occur
in the field traffic we hold; the standard says the tables are extensible, so an unknown
code is not an error in the codec — :func:`lookup` simply returns ``None``.
"""

from __future__ import annotations

from dataclasses import dataclass
from types import MappingProxyType
from typing import Literal

Medium = Literal["water", "air"]


@dataclass(frozen=True, slots=True)
class Pollutant:
    """A monitored factor.

    code: HJ 212-2017 code, e.g. ``w01018``.
    code_2005: HJ/T 212-2005 code, e.g. ``011``; ``None`` if the factor had none.
    name: Chinese name as in HJ 212-2017 Annex B.
    unit: Unit of Rtd/Min/Avg/Max values, e.g. ``mg/L``.
    total_unit: Unit of the cumulative Cou value (emitted mass or volume), e.g. ``kg``.
    medium: ``water`` (Table B.1) or ``air`` (Table B.2).
    """

    code: str
    code_2005: str | None
    name: str
    unit: str
    total_unit: str | None
    medium: Medium


def _w(code: str, old: str | None, name: str, unit: str, total: str | None) -> Pollutant:
    return Pollutant(code, old, name, unit, total, "water")


def _a(code: str, old: str | None, name: str, unit: str, total: str | None) -> Pollutant:
    return Pollutant(code, old, name, unit, total, "air")


# HJ 212-2017 Annex B Table B.1 (water) and Table B.2 (air), with the HJ/T 212-2005 codes.
CATALOGUE: tuple[Pollutant, ...] = (
    _w("w00000", "B01", "污水", "L/s", "m³"),
    _w("w01001", "001", "pH值", "无量纲", None),
    _w("w01002", "002", "色度", "倍", None),
    _w("w01009", None, "溶解氧", "mg/L", None),
    _w("w01010", None, "水温", "℃", None),
    _w("w01012", "003", "悬浮物", "mg/L", "kg"),
    _w("w01014", None, "电导率", "μS/cm", None),
    _w("w01017", "010", "五日生化需氧量", "mg/L", "kg"),
    _w("w01018", "011", "化学需氧量", "mg/L", "kg"),
    _w("w01019", None, "高锰酸盐指数", "mg/L", "kg"),
    _w("w01020", "015", "总有机碳", "mg/L", "kg"),
    _w("w20111", "020", "总汞", "μg/L", "g"),
    _w("w20115", "022", "总镉", "μg/L", "g"),
    _w("w20116", "023", "总铬", "mg/L", "kg"),
    _w("w20117", "024", "六价铬", "μg/L", "g"),
    _w("w20119", "026", "总砷", "μg/L", "g"),
    _w("w20120", "027", "总铅", "μg/L", "g"),
    _w("w20121", "028", "总镍", "mg/L", "kg"),
    _w("w20122", "029", "总铜", "mg/L", "kg"),
    _w("w20123", "030", "总锌", "mg/L", "kg"),
    _w("w21001", "065", "总氮", "mg/L", "kg"),
    _w("w21003", "060", "氨氮", "mg/L", "kg"),
    _w("w21011", "101", "总磷", "mg/L", "kg"),
    _w("w21016", "070", "氰化物", "mg/L", "kg"),
    _w("w21017", "072", "氟化物", "mg/L", "kg"),
    _w("w21019", "071", "硫化物", "mg/L", "kg"),
    _w("w22001", "080", "石油类", "mg/L", "kg"),
    _w("w23002", "110", "挥发酚", "mg/L", "kg"),
    _a("a00000", "B02", "废气", "m³/s", "m³"),
    _a("a01010", "37", "林格曼黑度", "无量纲", None),
    _a("a01011", "S02", "烟气流速", "m/s", None),
    _a("a01012", "S03", "烟气温度", "℃", None),
    _a("a01013", "S08", "烟气压力", "kPa", None),
    _a("a01014", "S05", "烟气湿度", "%", None),
    _a("a01015", "S06", "制冷温度", "℃", None),
    _a("a01016", "S07", "烟道截面积", "m²", None),
    _a("a01017", "S04", "烟气动压", "kPa", None),
    _a("a05001", "30", "二氧化碳", "mg/m³", "kg"),
    _a("a19001", "S01", "氧气含量", "%", None),
    _a("a21001", "10", "氨（氨气）", "mg/m³", "kg"),
    _a("a21002", "03", "氮氧化物", "mg/m³", "kg"),
    _a("a21003", None, "一氧化氮", "mg/m³", "kg"),
    _a("a21004", None, "二氧化氮", "mg/m³", "kg"),
    _a("a21005", "04", "一氧化碳", "mg/m³", "kg"),
    _a("a21018", "06", "氟化物", "mg/m³", "kg"),
    _a("a21022", "11", "氯气", "mg/m³", "kg"),
    _a("a21024", "08", "氯化氢", "mg/m³", "kg"),
    _a("a21026", "02", "二氧化硫", "mg/m³", "kg"),
    _a("a21028", "05", "硫化氢", "mg/m³", "kg"),
    _a("a24087", "25", "碳氢化合物", "mg/m³", "kg"),
    _a("a24088", None, "非甲烷总烃", "mg/m³", "kg"),
    _a("a25002", None, "苯", "mg/m³", "kg"),
    _a("a25003", "17", "甲苯", "mg/m³", "kg"),
    _a("a25005", "18", "二甲苯", "mg/m³", "kg"),
    _a("a30001", "28", "甲醇", "mg/m³", "kg"),
    _a("a31001", "19", "甲醛", "mg/m³", "kg"),
    _a("a34013", "01", "烟尘", "mg/m³", "kg"),
)

_BY_CODE = MappingProxyType(
    {p.code: p for p in CATALOGUE} | {p.code_2005: p for p in CATALOGUE if p.code_2005}
)


def lookup(code: str) -> Pollutant | None:
    """The catalogue entry for a 2017 code (``w01018``) or a 2005 code (``011``), if any."""
    return _BY_CODE.get(code)


def to_2017_code(code: str) -> str | None:
    """The HJ 212-2017 code for a 2017 or 2005 code (``"011"`` -> ``"w01018"``), if known."""
    pollutant = _BY_CODE.get(code)
    return pollutant.code if pollutant else None


def is_2017_code(code: str) -> bool:
    """True if ``code`` has the HJ 212-2017 shape: one lower-case letter and five digits.

    HJ 212-2017 Annex B: factor codes are a letter for the medium followed by five digits;
    the HJ/T 212-2005 codes are two or three characters (``01``, ``011``, ``B01``, ``S01``).
    """
    return len(code) == 6 and "a" <= code[0] <= "z" and code[1:].isdigit() and code.isascii()


def is_2005_code(code: str) -> bool:
    """True if ``code`` has an HJ/T 212-2005 shape: 2-3 characters, digits after the first."""
    return 2 <= len(code) <= 3 and code.isascii() and code.isalnum() and code[1:].isdigit()
