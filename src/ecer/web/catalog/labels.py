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

# CSS class per status (colours in static/ecer/site.css).
STATUS_CLASSES = {
    "met": "ok",
    "on_track": "ok",
    "behind": "bad",
    "no_data": "none",
    "no_base": "none",
    "not_quantified": "none",
}

WARNING_LABELS = {
    "red": _("红色预警"),
    "yellow": _("黄色预警"),
    "green": _("绿色"),
    "unknown": _("无法判断"),
}
