"""Display labels for the statuses ecer.core computes."""

from django.utils.translation import gettext_lazy as _

STATUS_LABELS = {
    "met": _("已达标"),
    "on_track": _("进度正常"),
    "behind": _("进度滞后"),
    "no_data": _("暂无数据"),
    "no_base": _("缺基期值"),
    "not_quantified": _("待下达目标值"),
}

# The one colour mapping of every surface: a target's colour is its warning level's, on the
# web (CSS class, colours in static/ecer/site.css), in Excel and in PDF (hex, the same colours).
LEVEL_CLASSES = {"red": "bad", "yellow": "warn", "green": "ok", "unknown": "none"}
LEVEL_HEX = {"red": "C62828", "yellow": "F9A825", "green": "2E7D32", "unknown": "9E9E9E"}
# Text on a level's ground: dark ink on yellow, white on the others (site.css ``.status``).
LEVEL_INK_HEX = {"red": "FFFFFF", "yellow": "1F2933", "green": "FFFFFF", "unknown": "FFFFFF"}
# The level whose colour a count of targets in a status takes (the overview's summary tiles:
# met and on track green, behind red, the rest unknown).
STATUS_LEVELS = {"met": "green", "on_track": "green", "behind": "red"}


def level_hex(level: object) -> str:
    """The colour of a warning level (``red``…, or a ``WarningLevel``) as RRGGBB."""
    return LEVEL_HEX.get(str(level), LEVEL_HEX["unknown"])


def level_ink_hex(level: object) -> str:
    """The colour of text written on a warning level's colour, as RRGGBB."""
    return LEVEL_INK_HEX.get(str(level), LEVEL_INK_HEX["unknown"])


def status_level(status: object) -> str:
    """The level whose colour a count of targets in ``status`` takes."""
    return STATUS_LEVELS.get(str(status), "unknown")


def hex_rgb(hex_colour: str) -> tuple[int, int, int]:
    """RRGGBB as an (r, g, b) tuple of 0–255, the form fpdf2 takes."""
    return (int(hex_colour[0:2], 16), int(hex_colour[2:4], 16), int(hex_colour[4:6], 16))


def level_rgb(level: object) -> tuple[int, int, int]:
    """The colour of a warning level as (r, g, b) [0–255], for PDF."""
    return hex_rgb(level_hex(level))


WARNING_LABELS = {
    "red": _("红色预警"),
    "yellow": _("黄色预警"),
    "green": _("绿色"),
    "unknown": _("无法判断"),
}


def period_label(period: str) -> str:
    """A reporting period for people: ``2025Q4`` → 2025 年第 4 季度, ``2025`` → 2025 年; the
    stored key (``2025Q4``) is unchanged."""
    import re

    from django.utils.translation import gettext

    match = re.fullmatch(r"(\d{4})Q([1-4])", period)
    if match:
        year, quarter = match.groups()
        return gettext("%(year)s 年第 %(quarter)s 季度") % {"year": year, "quarter": quarter}
    if re.fullmatch(r"\d{4}", period):
        return gettext("%(year)s 年") % {"year": period}
    return period
