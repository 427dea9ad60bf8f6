import math

from django import template

from ecer.web.catalog.labels import LEVEL_CLASSES, STATUS_LABELS, WARNING_LABELS, period_label
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


@register.filter
def unit_zh(code: object) -> str:
    """A stored unit code as people write it: ``10^4 kWh`` → 万千瓦时, ``10^8 m3`` → 亿立方米;
    the code itself is unchanged in the database and in import files."""
    from ecer.core import energy as core_energy

    text = "" if code is None else str(code)
    unit = core_energy.UNITS.get(text)
    if unit is not None and "^" in text:
        return unit.name_zh
    for power, prefix in (("10^4 ", "万"), ("10^6 ", "百万"), ("10^8 ", "亿")):
        text = text.replace(power, prefix)
    return text


@register.filter
def model_name(label: object) -> str:
    """The verbose name of a model given its label (``catalog.area`` → 地区)."""
    from django.apps import apps

    try:
        model = apps.get_model(str(label))
    except (LookupError, ValueError):
        return str(label)
    return str(model._meta.verbose_name)


@register.filter
def signed_change(value: object, digits: int = 2) -> str:
    """A change in per cent as people say it: 下降 7.81% / 上升 2.5% / 持平; '—' for None."""
    from django.utils.translation import gettext

    if value is None or value == "":
        return "—"
    try:
        number = float(value)  # type: ignore[arg-type]
    except (TypeError, ValueError):
        return str(value)
    shown = num(abs(number), digits)
    if shown in ("0", str(BAD_VALUE_TEXT)) or not math.isfinite(number):
        return gettext("持平") if shown == "0" else shown
    if number < 0:
        return gettext("下降 %(pct)s%%") % {"pct": shown}
    return gettext("上升 %(pct)s%%") % {"pct": shown}


@register.filter
def data_version(stamp: object) -> str:
    """A data version for people: ``v2009@20261205T220815Z`` → 2009（2026-12-06 06:08）,
    the time in the site's time zone. Anything else is shown as it is."""
    import re
    from datetime import UTC, datetime

    from django.utils import timezone

    text = "" if stamp is None else str(stamp)
    match = re.fullmatch(r"v(\d+)@(\d{8}T\d{6}Z|empty)", text)
    if match is None:
        return text
    number, when = match.groups()
    if when == "empty":
        return number
    moment = datetime.strptime(when, "%Y%m%dT%H%M%SZ").replace(tzinfo=UTC)
    return f"{number}（{timezone.localtime(moment):%Y-%m-%d %H:%M}）"


@register.filter
def decline(value: object, digits: int = 2) -> str:
    """A decline in per cent (positive = down) as people say it: 下降 7.81% / 上升 7.81%."""
    try:
        return signed_change(-float(value), digits)  # type: ignore[arg-type]
    except (TypeError, ValueError):
        return signed_change(value, digits)


@register.filter
def magnitude(value: object) -> object:
    """The size of a figure whose sign the words already say (超出 808,019, not −808,019)."""
    try:
        return abs(float(value))  # type: ignore[arg-type]
    except (TypeError, ValueError):
        return value


@register.filter
def period(value: object) -> str:
    """A stored period key (``2025Q4``) as people write it: 2025 年第 4 季度."""
    return period_label("" if value is None else str(value))


@register.simple_tag
def term(name: str) -> str:
    """An accounting term with its explanation on hover, linked to the help page."""
    from django.urls import reverse
    from django.utils.html import format_html
    from django.utils.translation import gettext

    from ecer.web.catalog.terms import TERMS, key_of

    key = key_of(name)
    if key is None:
        return gettext(name)
    label, explanation = TERMS[key]
    return format_html(
        '<a class="term" href="{}#{}" title="{}">{}</a>',
        reverse("catalog:terms"),
        key,
        explanation,
        label,
    )
