import math

from django import template

from ecer.web.catalog.labels import LEVEL_CLASSES, STATUS_LABELS, WARNING_LABELS
from ecer.web.numbers import BAD_VALUE_TEXT, MAX_MAGNITUDE

register = template.Library()

# Stored values stay within ±MAX_MAGNITUDE; a sum of a thousand of them stays below this.
SHOWN_MAGNITUDE = MAX_MAGNITUDE * 1e3


@register.filter
def status_label(status: object) -> str:
    return str(STATUS_LABELS.get(str(status), status))


@register.filter
def level_class(level: object) -> str:
    """CSS class of a warning level: the colour of a target on every page."""
    return LEVEL_CLASSES.get(str(level), "none")


@register.filter
def warning_label(level: object) -> str:
    return str(WARNING_LABELS.get(str(level), level))


@register.filter
def num(value: object, digits: int = 2) -> str:
    """A number for people: thousands separators, trailing zeros trimmed; '—' for None."""
    if value is None or value == "":
        return "—"
    try:
        number = float(value)  # type: ignore[arg-type]
    except (TypeError, ValueError):
        return str(value)
    if not math.isfinite(number) or abs(number) > SHOWN_MAGNITUDE:
        # A stored value past the domain rules (or a figure computed from one): say so in
        # the cell instead of printing "inf" or a 309-digit number.
        return str(BAD_VALUE_TEXT)
    text = f"{number:,.{int(digits)}f}"
    if "." in text:
        text = text.rstrip("0").rstrip(".")
    return text
