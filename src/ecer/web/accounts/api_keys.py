"""An enterprise's API keys: its users list, issue and revoke them (shown under 重点用能单位).

The secret is shown once, on the page that answers the creation; only its hash is stored.
An enterprise sees and revokes the keys of every user bound to its unified social credit code
(a departed colleague's key can be revoked), and nobody else's.
"""

from __future__ import annotations

from typing import Any

from django import forms
from django.core.exceptions import PermissionDenied
from django.db.models import QuerySet
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_http_methods

from ecer.web.accounts.decorators import scoped
from ecer.web.accounts.models import ApiKey, Membership, Role


class ApiKeyForm(forms.Form):
    name = forms.CharField(
        label=gettext_lazy("名称"),
        max_length=100,
        help_text=gettext_lazy("用途，例如“能耗在线监测端”"),
    )


def _enterprise_keys(request: HttpRequest) -> QuerySet[ApiKey]:
    scope = request.scope  # type: ignore[attr-defined]
    if not scope.manages_own_api_keys:
        raise PermissionDenied("only enterprise users manage their API keys here")
    users = Membership.objects.filter(
        role=Role.ENTERPRISE, enterprise_code=scope.enterprise_code
    ).values("user_id")
    return ApiKey.objects.filter(user_id__in=users).select_related("user")


@scoped
@require_http_methods(["GET", "POST"])
def key_list(request: HttpRequest) -> HttpResponse:
    keys = _enterprise_keys(request).order_by("revoked_at", "-created_at")
    form = ApiKeyForm(request.POST or None)
    context: dict[str, Any] = {"keys": keys, "form": form}
    if request.method == "POST" and form.is_valid():
        key, raw = ApiKey.issue(request.user, form.cleaned_data["name"])
        context.update(new_key=key, secret=raw, form=ApiKeyForm())
        return render(request, "accounts/api_keys.html", context)
    return render(request, "accounts/api_keys.html", context)


@scoped
@require_http_methods(["GET", "POST"])
def key_revoke(request: HttpRequest, pk: int) -> HttpResponse:
    key = _enterprise_keys(request).filter(pk=pk).first()
    if key is None:
        raise Http404(_("没有这个 API 密钥"))
    if request.method == "POST":
        key.revoke()
        return redirect("enterprises:api_keys")
    return render(request, "accounts/api_key_revoke.html", {"key": key})
