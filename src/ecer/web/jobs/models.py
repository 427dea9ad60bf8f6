"""One row per run of a background job, as the administrator sees it (admin: 后台任务)."""

from __future__ import annotations

from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class JobRun(models.Model):
    class State(models.TextChoices):
        RUNNING = "running", _("运行中")
        SUCCEEDED = "succeeded", _("成功")
        RETRYING = "retrying", _("失败，稍后重试")
        FAILED = "failed", _("失败")

    name = models.CharField(_("任务"), max_length=80, db_index=True)
    task_id = models.CharField(_("队列任务编号"), max_length=64, blank=True, db_index=True)
    attempt = models.PositiveIntegerField(_("第几次尝试"), default=1)
    state = models.CharField(_("状态"), max_length=16, choices=State.choices)
    started_at = models.DateTimeField(_("开始时间"), default=timezone.now, db_index=True)
    finished_at = models.DateTimeField(_("结束时间"), null=True, blank=True)
    output = models.TextField(_("结果"), blank=True)
    error = models.TextField(_("错误"), blank=True)

    class Meta:
        ordering = ["-started_at", "-pk"]
        verbose_name = _("任务运行记录")
        verbose_name_plural = _("任务运行记录")

    def __str__(self) -> str:
        return f"{self.name} {self.started_at:%Y-%m-%d %H:%M:%S} {self.state}"
