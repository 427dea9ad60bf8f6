"""Pollution-source online monitoring (HJ 212): points, the raw frame log, measurements.

The HJ 212 gateway (``ecer hj212 serve``) writes the raw log and the measurements through
``ecer.hj212.storage`` with plain SQL, so the table names come from there and the unique
constraints below are what makes a repeated upload stored once. People edit only the
monitoring points; the log and the measurements are written by the gateway alone.
"""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from ecer.core import monitoring as core_monitoring
from ecer.hj212 import pollutants as catalogue
from ecer.hj212 import storage
from ecer.web import geodata
from ecer.web.numbers import FiniteFloatField


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
    # The gateway registers points with plain SQL (ecer.hj212.storage): every column it does
    # not name needs a database default.
    enterprise_code = models.CharField(
        _("企业统一社会信用代码"),
        max_length=18,
        blank=True,
        default="",
        db_default="",
        db_index=True,
        help_text=_("企业用户只能看到本企业（同一代码）的监测点"),
    )
    area = models.ForeignKey(
        "catalog.Area",
        verbose_name=_("县区"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="monitoring_points",
        help_text=_("县区用户只能看到本县区的监测点"),
    )
    data_cn = models.CharField(
        _("考核数据类型"),
        max_length=4,
        choices=Command.choices,
        default=Command.HOURLY,
        db_default=Command.HOURLY,
        help_text=_("超标判定、缺数和有效传输率所依据的数据"),
    )
    interval_seconds = models.PositiveIntegerField(
        _("数据间隔（秒）"),
        default=3600,
        db_default=3600,
        help_text=_("考核数据应上传的间隔：小时数据 3600，日数据 86400"),
    )
    longitude = FiniteFloatField(
        _("经度（东经，度）"), null=True, blank=True, min_value=-180, max_value=180
    )
    latitude = FiniteFloatField(
        _("纬度（北纬，度）"), null=True, blank=True, min_value=-90, max_value=90
    )
    is_demo = models.BooleanField(_("示例数据"), default=False, db_default=False)
    history = HistoricalRecords()

    class Meta:
        db_table = storage.POINT_TABLE
        verbose_name = _("监测点")
        verbose_name_plural = _("监测点")
        ordering = ["mn"]

    def __str__(self) -> str:
        return f"{self.name}（{self.mn}）"

    def clean(self) -> None:
        problems = geodata.location_problems(
            self.area if self.area_id else None, self.longitude, self.latitude
        )
        if problems:
            raise ValidationError(problems)

    @property
    def flow_code(self) -> str:
        """The HJ 212-2017 code of the point's discharge flow (wastewater or flue gas)."""
        return "w00000" if self.medium == Medium.WATER else "a00000"


def pollutant_choices() -> list[tuple[str, str]]:
    return [(p.code, f"{p.code} {p.name}（{p.unit}）") for p in catalogue.CATALOGUE]


class PointPollutant(models.Model):
    """A factor a point must report, with its emission limit (GB/地方排放标准 or permit)."""

    point = models.ForeignKey(
        MonitoringPoint,
        verbose_name=_("监测点"),
        on_delete=models.CASCADE,
        related_name="pollutants",
    )
    pollutant = models.CharField(
        _("监测因子"), max_length=storage.POLLUTANT_CODE_LENGTH, choices=pollutant_choices
    )
    upper_limit = FiniteFloatField(_("排放限值（上限）"), null=True, blank=True)
    lower_limit = FiniteFloatField(
        _("排放限值（下限）"), null=True, blank=True, help_text=_("如 pH 的 6")
    )
    limit_unit = models.CharField(
        _("限值单位"), max_length=16, blank=True, help_text=_("留空即为该因子的计量单位")
    )
    reference_o2 = FiniteFloatField(
        _("基准氧含量（%）"),
        null=True,
        blank=True,
        help_text=_("废气：限值针对折算浓度时填写，如燃煤锅炉 6"),
        min_value=0,
        max_value=21,
    )
    standard = models.CharField(_("执行标准"), max_length=100, blank=True)
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("监测因子及限值")
        verbose_name_plural = _("监测因子及限值")
        ordering = ["point", "pollutant"]
        constraints = [
            models.UniqueConstraint(
                fields=["point", "pollutant"], name="monitoring_point_pollutant_once"
            )
        ]

    def __str__(self) -> str:
        return f"{self.point_id} {self.pollutant}"

    @property
    def info(self) -> catalogue.Pollutant | None:
        return catalogue.lookup(self.pollutant)

    @property
    def unit(self) -> str:
        """Unit of the values the logger sends (HJ 212-2017 Annex B)."""
        info = self.info
        return info.unit if info else ""

    @property
    def name(self) -> str:
        info = self.info
        return info.name if info else self.pollutant

    @property
    def has_limit(self) -> bool:
        return self.upper_limit is not None or self.lower_limit is not None

    def limit(self) -> core_monitoring.Limit | None:
        if not self.has_limit:
            return None
        return core_monitoring.Limit(
            upper=self.upper_limit,
            lower=self.lower_limit,
            unit=self.limit_unit or self.unit,
            reference_o2=self.reference_o2,
        )

    def clean(self) -> None:
        errors: dict[str, str] = {}
        info = self.info
        if info is None:
            errors["pollutant"] = _("不在监测因子目录中")
        else:
            expected = "water" if self.point.medium == Medium.WATER else "air"
            if info.medium != expected:
                errors["pollutant"] = _("该因子与监测点的介质不符")
            if self.limit_unit:
                try:
                    core_monitoring.concentration_factor(info.unit, self.limit_unit)
                except ValueError:
                    errors["limit_unit"] = _("限值单位无法由该因子的计量单位换算")
        if self.reference_o2 is not None:
            if self.point.medium != Medium.GAS:
                errors["reference_o2"] = _("只有废气监测点有基准氧含量")
            elif not 0 <= self.reference_o2 < core_monitoring.AMBIENT_O2_PERCENT:
                errors["reference_o2"] = _("基准氧含量应在 0 与 21 之间")
        if (
            self.upper_limit is not None
            and self.lower_limit is not None
            and self.lower_limit > self.upper_limit
        ):
            errors["lower_limit"] = _("下限不能大于上限")
        if errors:
            raise ValidationError(errors)


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
    value = FiniteFloatField(_("数值"))
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


class MeasurementBlock(models.Model):
    """An hour of one point's real-time or minute data in arrays (``ecer.web.monitoring.blocks``).

    fields: JSON list of [pollutant, kind], one per column. offsets: uint16 seconds after
    ``start`` per data time. samples: float64 [time, column]. flags: JSON list, row-major,
    null where a column has no value at a data time.
    """

    point = models.ForeignKey(
        MonitoringPoint,
        verbose_name=_("监测点"),
        on_delete=models.PROTECT,
        related_name="measurement_blocks",
        db_index=False,  # the unique constraint's index starts with the point
    )
    cn = models.CharField(_("数据类型（CN）"), max_length=4, choices=Command.choices)
    start = models.DateTimeField(_("小时开始"))
    count = models.PositiveIntegerField(_("数据时间个数"))
    fields = models.TextField(_("监测因子及取值类型"))
    offsets = models.BinaryField(_("数据时间（小时内秒数）"))
    samples = models.BinaryField(_("数值"))
    flags = models.TextField(_("数据标记"))

    class Meta:
        db_table = "monitoring_measurement_block"
        verbose_name = _("监测数据块")
        verbose_name_plural = _("监测数据块")
        constraints = [
            models.UniqueConstraint(
                fields=["point", "cn", "start"], name="monitoring_measurement_block_once"
            )
        ]

    def __str__(self) -> str:
        return f"{self.point_id} {self.cn} {self.start:%Y-%m-%d %H:00}"


class RollupLevel(models.TextChoices):
    HOUR = "hour", _("小时")
    DAY = "day", _("日")
    MONTH = "month", _("月")


class CurrentRollups(models.Manager["Rollup"]):
    """The rollups, made current first: what is pending is folded before any read
    (``rollups.current``), so every reader gets the answer of a full fold."""

    def get_queryset(self) -> models.QuerySet[Rollup]:
        from ecer.web.monitoring import rollups  # rollups reads this app's tables

        rollups.current()
        return super().get_queryset()


class Rollup(models.Model):
    """Aggregates of the measurements per point, command, pollutant, kind and period.

    Kept from every insert into the measurement table (``ecer.web.monitoring.rollups``:
    SQLite by row triggers, PostgreSQL by folds of what a statement trigger set aside), so
    pages summarise a month by reading one row instead of its minute data. Hour rows exist
    for real-time and minute data only; day and month rows for every command. Periods are
    Beijing hours, days and months (``start``).

    valid_*: Over the values flagged N only; valid_sum / valid_count is their mean.
    off_hour: Values whose data time is not a whole hour (none in conformant hourly data).
    """

    point = models.ForeignKey(
        MonitoringPoint,
        verbose_name=_("监测点"),
        on_delete=models.CASCADE,
        related_name="rollups",
        db_index=False,  # the unique constraint's index starts with the point
    )
    cn = models.CharField(_("数据类型（CN）"), max_length=4, choices=Command.choices)
    pollutant = models.CharField(_("污染物编码"), max_length=storage.POLLUTANT_CODE_LENGTH)
    kind = models.CharField(_("取值类型"), max_length=8)
    level = models.CharField(_("汇总周期"), max_length=8, choices=RollupLevel.choices)
    start = models.DateTimeField(_("周期开始"))
    count = models.PositiveIntegerField(_("数值个数"))
    valid_count = models.PositiveIntegerField(_("有效数值个数"))
    valid_sum = FiniteFloatField(_("有效数值之和"))
    valid_min = FiniteFloatField(_("有效数值最小值"), null=True)
    valid_max = FiniteFloatField(_("有效数值最大值"), null=True)
    last_time = models.DateTimeField(_("最新数据时间"))
    off_hour = models.PositiveIntegerField(
        _("非整点数值个数"), help_text=_("数据时间不在整点的数值：小时数据中应为 0")
    )

    objects = CurrentRollups()

    class Meta:
        db_table = "monitoring_rollup"
        verbose_name = _("监测数据汇总")
        verbose_name_plural = _("监测数据汇总")
        constraints = [
            # Its index serves the pages: a point's rollups of one level, command and kind
            # over a range of periods are one stretch of it (all its pollutants together).
            models.UniqueConstraint(
                fields=["point", "level", "cn", "kind", "start", "pollutant"],
                name="monitoring_rollup_once_by_level",
            )
        ]

    def __str__(self) -> str:
        return f"{self.point_id} {self.cn} {self.pollutant}-{self.kind} {self.level} {self.start}"

    @property
    def valid_mean(self) -> float | None:
        return self.valid_sum / self.valid_count if self.valid_count else None


class AlarmKind(models.TextChoices):
    EXCEEDANCE = "exceedance", _("超标")
    GAP = "gap", _("缺数")
    OFFLINE = "offline", _("离线")


class AlarmRecord(models.Model):
    """An alarm as the journal found it (``ecer.web.monitoring.journal``).

    Exceedances and gaps are judged from the data (``services.point_alarms``) and kept whole:
    one that began before the days judged again is judged again from its start. An offline
    episode starts at the point's last frame and ends at the first frame after it.

    count: Exceedance: the values outside the limit; gap: the data times missing.
    peak, limit_*: The exceedance's farthest value and the limit broken, as judged then.
    """

    point = models.ForeignKey(
        MonitoringPoint,
        verbose_name=_("监测点"),
        on_delete=models.CASCADE,
        related_name="alarm_records",
    )
    kind = models.CharField(_("类型"), max_length=16, choices=AlarmKind.choices)
    pollutant = models.ForeignKey(
        PointPollutant,
        verbose_name=_("监测因子"),
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="alarm_records",
    )
    start = models.DateTimeField(_("开始"), null=True, help_text=_("离线：空表示从未接收报文"))
    end = models.DateTimeField(_("结束"), null=True)
    ongoing = models.BooleanField(_("未结束"))
    count = models.PositiveIntegerField(_("数据个数"), null=True)
    peak = FiniteFloatField(_("最大超标值"), null=True)
    limit_upper = FiniteFloatField(_("排放限值（上限）"), null=True)
    limit_lower = FiniteFloatField(_("排放限值（下限）"), null=True)
    limit_unit = models.CharField(_("限值单位"), max_length=16, blank=True)
    reference_o2 = FiniteFloatField(_("基准氧含量（%）"), null=True, min_value=0, max_value=21)
    judged_at = models.DateTimeField(_("判定时间"))

    class Meta:
        db_table = "monitoring_alarm"
        verbose_name = _("报警记录")
        verbose_name_plural = _("报警记录")
        indexes = [
            # The list: newest first over every point in scope, and a point's records.
            models.Index(fields=["-start"], name="monitoring_alarm_by_start"),
            models.Index(fields=["point", "start"], name="monitoring_alarm_by_point"),
        ]

    def __str__(self) -> str:
        return f"{self.point_id} {self.kind} {self.start}"

    @property
    def kind_label(self) -> Any:
        return AlarmKind(self.kind).label

    @property
    def exceedance(self) -> core_monitoring.Exceedance | None:
        if self.kind != AlarmKind.EXCEEDANCE:
            return None
        assert self.start and self.end and self.count is not None and self.peak is not None
        limit = core_monitoring.Limit(
            self.limit_upper, self.limit_unit, self.limit_lower, self.reference_o2
        )
        return core_monitoring.Exceedance(self.start, self.end, self.count, self.peak, limit)

    @property
    def gap(self) -> core_monitoring.Gap | None:
        if self.kind != AlarmKind.GAP:
            return None
        assert self.start and self.end and self.count is not None
        return core_monitoring.Gap(self.start, self.end, self.count, self.ongoing)


class AlarmRun(models.Model):
    """One run of the alarm journal: the time it judged at and the days it covered."""

    judged_at = models.DateTimeField(_("判定时间"), db_index=True)
    first_day = models.DateField(_("最早判定日"))
    points = models.PositiveIntegerField(_("监测点数"))
    records = models.PositiveIntegerField(_("报警记录数"))
    seconds = FiniteFloatField(_("耗时（秒）"), min_value=0)

    class Meta:
        db_table = "monitoring_alarm_run"
        verbose_name = _("报警判定记录")
        verbose_name_plural = _("报警判定记录")
        ordering = ["-judged_at"]

    def __str__(self) -> str:
        return f"{self.judged_at:%Y-%m-%d %H:%M} {self.points} {self.records}"
