from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class ErrorList(models.Model):
    """The full error list of a refused import, kept for its uploader to download (bounded by
    ECER_IMPORT_ERRORS_KEPT rows; old lists are removed when new ones are kept)."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE)
    importer = models.CharField(_("导入功能"), max_length=100)
    file_name = models.CharField(_("文件名"), max_length=255)
    total = models.PositiveIntegerField(_("错误总数"))
    kept = models.PositiveIntegerField(_("清单所列错误数"))
    content = models.BinaryField(_("错误清单（CSV）"))
    created_at = models.DateTimeField(_("时间"), auto_now_add=True)

    class Meta:
        verbose_name = _("导入错误清单")
        verbose_name_plural = _("导入错误清单")
        ordering = ["-created_at"]
