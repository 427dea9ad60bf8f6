from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from ecer.web.accounts.scoping import ScopedModelForm
from ecer.web.notifications.models import WebhookEndpoint


class WebhookForm(ScopedModelForm):
    class Meta:
        model = WebhookEndpoint
        fields = ["name", "provider", "url", "secret", "area", "department", "enabled"]
        widgets = {"secret": forms.PasswordInput(render_value=True)}

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["area"].empty_label = _("（市级或部门）")
        self.fields["department"].empty_label = _("（市级或县区）")
