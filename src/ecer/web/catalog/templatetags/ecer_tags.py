from django import template

from ecer.web.catalog.labels import LEVEL_CLASSES, STATUS_LABELS, WARNING_LABELS

register = template.Library()


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
    text = f"{number:,.{int(digits)}f}"
    if "." in text:
        text = text.rstrip("0").rstrip(".")
    return text
