"""Pollution-source online monitoring (HJ 212): points, the raw frame log, measurements.

The HJ 212 gateway (``ecer hj212 serve``) writes the raw log and the measurements through
``ecer.hj212.storage`` with plain SQL, so the table names come from there and the unique
constraints below are what makes a repeated upload stored once. People edit only the
monitoring points; the log and the measurements are written by the gateway alone.
"""

from __future__ import annotations

from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from ecer.hj212 import storage


class Medium(models.TextChoices):
    WATER = "water", _("废水")
    GAS = "gas", _("废气")


class Tolerance(models.TextChoices):
    STRICT = "strict", _("严格（仅 HJ 212-2017）")
    LENIENT = "lenient", _("宽松（接受已知偏差，如 HJ/T 212-2005 数采仪）")


class FrameStatus(models.TextChoices):
    STORED = storage.STORED, _("已入库")
    QUARANTINED = storage.QUARANTINED, _("隔离")
    DUPLICATE = storage.DUPLICATE, _("重复上传")


class Command(models.TextChoices):
    REAL_TIME = "2011", _("实时数据")
    MINUTE = "2051", _("分钟数据")
    HOURLY = "2061", _("小时数据")
    DAILY = "2031", _("日数据")


class MonitoringPoint(models.Model):
    """A monitored outlet and the data logger (MN) that reports it."""

    mn = models.CharField(_("设备唯一标识（MN）"), max_length=24, unique=True)
    name = models.CharField(_("监测点名称"), max_length=200)
    enterprise_name = models.CharField(_("企业名称"), max_length=200, blank=True)
    outlet = models.CharField(_("排放口"), max_length=100, blank=True)
    medium = models.CharField(_("介质"), max_length=8, choices=Medium.choices)
    password = models.CharField(_("访问密码（PW）"), max_length=32)
    tolerance = models.CharField(
        _("报文容错策略"),
        max_length=8,
        choices=Tolerance.choices,
        default=Tolerance.STRICT,
        help_text=_("宽松：接受数采仪常见的已知偏差，并逐条记录在原始报文中"),
    )
    active = models.BooleanField(_("启用"), default=True)
    history = HistoricalRecords()

    class Meta:
        db_table = storage.POINT_TABLE
        verbose_name = _("监测点")
        verbose_name_plural = _("监测点")
        ordering = ["mn"]

    def __str__(self) -> str:
        return f"{self.name}（{self.mn}）"


class RawFrame(models.Model):
    """Every frame received, as received: stored, quarantined (with the reason) or a repeat."""

    received_at = models.DateTimeField(_("接收时间"), db_index=True)
    peer = models.CharField(_("来源地址"), max_length=64)
    mn = models.CharField(_("MN"), max_length=24, blank=True)
    qn = models.CharField(_("请求编码（QN）"), max_length=17, null=True, blank=True)
    cn = models.CharField(_("命令编码（CN）"), max_length=4, blank=True)
    pno = models.PositiveIntegerField(_("包号（PNO）"), default=0, help_text=_("0 = 未分包"))
    data_time = models.DateTimeField(_("数据时间"), null=True, blank=True)
    data = models.BinaryField(_("原始字节"))
    text = models.TextField(_("报文"))
    deviations = models.JSONField(_("接受的偏差"), default=list, blank=True)
    status = models.CharField(_("状态"), max_length=16, choices=FrameStatus.choices)
    quarantine_reason = models.TextField(_("隔离原因"), blank=True)

    class Meta:
        db_table = storage.RAW_FRAME_TABLE
        verbose_name = _("原始报文")
        verbose_name_plural = _("原始报文")
        ordering = ["-received_at", "-id"]
        constraints = [
            # A retransmission (same MN and QN) is stored once; PNO tells subpackets apart.
            models.UniqueConstraint(
                fields=["mn", "qn", "pno"],
                condition=Q(status=storage.STORED, qn__isnull=False),
                name="monitoring_raw_frame_once_per_qn",
            ),
            # So is a data upload repeated under a new QN or without QN (HJ/T 212-2005).
            models.UniqueConstraint(
                fields=["mn", "cn", "data_time", "pno"],
                condition=Q(
                    status=storage.STORED,
                    data_time__isnull=False,
                    cn__in=sorted(storage.MEASUREMENT_COMMANDS),
                ),
                name="monitoring_raw_frame_once_per_data_time",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.mn or '?'} {self.qn or ''} CN={self.cn or '?'} ({self.status})"


class Measurement(models.Model):
    """One value of one pollutant at one data time, from a stored frame.

    value: In the pollutant's unit (``ecer.hj212.pollutants``); Cou values in its total unit.
    """

    point = models.ForeignKey(
        MonitoringPoint,
        verbose_name=_("监测点"),
        on_delete=models.PROTECT,
        related_name="measurements",
        db_index=False,  # the unique constraint's index starts with the point
    )
    data_time = models.DateTimeField(_("数据时间"))
    cn = models.CharField(_("数据类型（CN）"), max_length=4, choices=Command.choices)
    pollutant = models.CharField(
        _("污染物编码"), max_length=storage.POLLUTANT_CODE_LENGTH, help_text=_("HJ 212-2017 编码")
    )
    kind = models.CharField(
        _("取值类型"), max_length=8, help_text=_("Rtd/Avg/Min/Max/Cou/ZsRtd/ZsAvg/ZsMin/ZsMax")
    )
    value = models.FloatField(_("数值"))
    flag = models.CharField(_("数据标记"), max_length=storage.FLAG_LENGTH, blank=True)
    frame = models.ForeignKey(
        RawFrame,
        verbose_name=_("原始报文"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="measurements",
    )

    class Meta:
        db_table = storage.MEASUREMENT_TABLE
        verbose_name = _("监测数据")
        verbose_name_plural = _("监测数据")
        ordering = ["-data_time", "pollutant", "kind"]
        constraints = [
            models.UniqueConstraint(
                fields=["point", "cn", "data_time", "pollutant", "kind"],
                name="monitoring_measurement_once",
            )
        ]

    def __str__(self) -> str:
        return f"{self.point_id} {self.data_time:%Y-%m-%d %H:%M} {self.pollutant}-{self.kind}"
