"""The form field of every upload: the file's size and name checked before it is read."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import Any

from django import forms
from django.utils.translation import gettext as _

from ecer.web.uploads.limits import Limits


class BoundedFileField(forms.FileField):
    def __init__(self, *, suffixes: Sequence[str], **kwargs: Any):
        self.suffixes = tuple(s.lower() for s in suffixes)
        super().__init__(**kwargs)

    def clean(self, data: Any, initial: Any = None) -> Any:
        upload = super().clean(data, initial)
        if upload is None:
            return upload
        limit = Limits.from_settings().upload_bytes
        if upload.size > limit:
            raise forms.ValidationError(
                _("文件过大（%(size)s 字节），上限 %(limit)s 字节")
                % {"size": f"{upload.size:,}", "limit": f"{limit:,}"},
                code="too_large",
            )
        suffix = Path(upload.name).suffix.lower()
        if suffix not in self.suffixes:
            raise forms.ValidationError(
                _("不接受的文件类型 “%(suffix)s”，可上传：%(allowed)s")
                % {"suffix": suffix, "allowed": "、".join(self.suffixes)},
                code="file_type",
            )
        return upload
