"""Registers (台账): the items behind the targets that count things to eliminate, rectify or
build. A ``Register`` is declared in the plan file (``registers`` section, loaded with the
plan); its ``Item``s move 已登记 → 整治中 → 已完成 → 已核查, each ``Step`` with its date,
evidence (size- and type-checked, with a SHA-256 of its content) and who recorded it. Items
and steps keep their full history (django-simple-history)."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from ecer.core import registers as core
from ecer.web.catalog.models import Area, Plan, Section, Target
from ecer.web.numbers import FiniteFloatField


class Register(models.Model):
    """A kind of register as the plan file declares it (``ecer.plan.schema.Register``)."""

    plan = models.ForeignKey(Plan, on_delete=models.CASCADE, related_name="registers")
    section = models.ForeignKey(Section, verbose_name=_("条款"), on_delete=models.PROTECT)
    code = models.SlugField(_("代码"), max_length=80)
    name = models.CharField(_("名称"), max_length=200)
    item = models.CharField(_("条目"), max_length=40)
    size_label = models.CharField(_("规模指标"), max_length=40)
    size_unit = models.CharField(_("规模单位"), max_length=40)
    measure = models.CharField(
        _("计量"),
        max_length=10,
        choices=[(core.Measure.COUNT.value, _("条目数")), (core.Measure.SIZE.value, _("规模合计"))],
        default=core.Measure.COUNT.value,
    )
    lead = models.CharField(_("牵头部门代码"), max_length=300, blank=True)
    note = models.TextField(_("备注"), blank=True)
    sort_order = models.PositiveIntegerField(_("排序"), default=0)

    class Meta:
        ordering = ["plan", "sort_order"]
        constraints = [
            models.UniqueConstraint(fields=["plan", "code"], name="register_unique_code")
        ]
        verbose_name = _("台账")
        verbose_name_plural = _("台账")

    def __str__(self) -> str:
        return self.name

    @property
    def feed(self) -> str:
        return f"registers.{self.code}"

    @property
    def target(self) -> Target | None:
        """The target this register feeds, if any."""
        return self.plan.targets.filter(feed=self.feed).first()

    def max_size(self) -> float | None:
        """The largest size an item may have: the target's threshold (10 蒸吨/小时 for
        "10蒸吨/小时及以下"), when it is given in the register's size unit."""
        target = self.target
        if target is None or target.threshold is None or target.threshold_unit != self.size_unit:
            return None
        return target.threshold


class Status(models.TextChoices):
    REGISTERED = "registered", _("已登记")
    RECTIFYING = "rectifying", _("整治中")
    DONE = "done", _("已完成")
    VERIFIED = "verified", _("已核查")


ORDER = [Status.REGISTERED, Status.RECTIFYING, Status.DONE, Status.VERIFIED]
DATE_FIELDS = {
    Status.REGISTERED: "registered_on",
    Status.RECTIFYING: "rectifying_on",
    Status.DONE: "done_on",
    Status.VERIFIED: "verified_on",
}


class Item(models.Model):
    register = models.ForeignKey(
        Register, verbose_name=_("台账"), on_delete=models.PROTECT, related_name="items"
    )
    identifier = models.CharField(
        _("编号"), max_length=80, help_text=_("台账内唯一，如锅炉注册登记号、排口编码")
    )
    name = models.CharField(_("名称"), max_length=200)
    area = models.ForeignKey(Area, verbose_name=_("所在县区"), on_delete=models.PROTECT)
    location = models.CharField(_("位置"), max_length=300)
    owner = models.CharField(_("责任主体"), max_length=200, blank=True)
    credit_code = models.CharField(
        _("统一社会信用代码"), max_length=18, blank=True, help_text=_("责任主体为企业时填写")
    )
    size = FiniteFloatField(_("规模"), null=True, blank=True, min_value=0)
    status = models.CharField(
        _("状态"), max_length=20, choices=Status.choices, default=Status.REGISTERED
    )
    registered_on = models.DateField(_("登记日期"))
    rectifying_on = models.DateField(_("开始整治日期"), null=True, blank=True)
    done_on = models.DateField(_("完成日期"), null=True, blank=True)
    verified_on = models.DateField(_("核查日期"), null=True, blank=True)
    note = models.TextField(_("备注"), blank=True)
    is_demo = models.BooleanField(_("示例数据"), default=False)
    history = HistoricalRecords()

    class Meta:
        ordering = ["register", "area__sort_order", "identifier"]
        constraints = [
            models.UniqueConstraint(
                fields=["register", "identifier"], name="register_item_unique_identifier"
            )
        ]
        verbose_name = _("台账条目")
        verbose_name_plural = _("台账条目")

    def __str__(self) -> str:
        return f"{self.identifier} {self.name}"

    def as_core(self) -> core.Item:
        return core.Item(
            registered_on=self.registered_on,
            done_on=self.done_on,
            verified_on=self.verified_on,
            size=self.size,
        )

    @property
    def next_status(self) -> Status | None:
        index = ORDER.index(Status(self.status))
        return ORDER[index + 1] if index + 1 < len(ORDER) else None


class Step(models.Model):
    """One move of an item, with its date, evidence and who recorded it."""

    item = models.ForeignKey(Item, on_delete=models.CASCADE, related_name="steps")
    status = models.CharField(_("状态"), max_length=20, choices=Status.choices)
    date = models.DateField(_("日期"))
    note = models.TextField(_("说明"), blank=True)
    evidence = models.FileField(_("佐证材料"), upload_to="registers/%Y/", blank=True)
    evidence_sha256 = models.CharField(_("材料 SHA-256"), max_length=64, blank=True)
    evidence_size = models.PositiveIntegerField(_("材料大小（字节）"), null=True, blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("记录人"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        help_text=_("空：随示例数据载入"),
    )
    recorded_at = models.DateTimeField(_("记录时间"), auto_now_add=True)
    source = models.CharField(_("来源"), max_length=40, blank=True, help_text=_("如 Excel 导入"))
    history = HistoricalRecords()

    class Meta:
        ordering = ["item", "date", "recorded_at"]
        verbose_name = _("台账步骤")
        verbose_name_plural = _("台账步骤")

    def __str__(self) -> str:
        return f"{self.item} {self.get_status_display()} {self.date}"
