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

WARNING_LABELS = {
    "red": _("红色预警"),
    "yellow": _("黄色预警"),
    "green": _("绿色"),
    "unknown": _("无法判断"),
}
