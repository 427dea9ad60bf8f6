"""Sign-in with throttling (ecer.web.accounts.throttle)."""

from __future__ import annotations

import ipaddress
from typing import Any

from django.conf import settings
from django.contrib.auth import views as auth_views
from django.http import HttpRequest, HttpResponse
from django.utils.translation import gettext as _

from ecer.web.accounts import throttle


def client_ip(request: HttpRequest) -> str | None:
    """The client's address: REMOTE_ADDR, or behind ``ECER_PROXY_COUNT`` trusted reverse
    proxies the address the outermost of them saw (X-Forwarded-For, counted from the right,
    so a client cannot choose it by sending the header itself)."""
    proxies = int(getattr(settings, "ECER_PROXY_COUNT", 0))
    address = request.META.get("REMOTE_ADDR")
    if proxies > 0:
        forwarded = [
            part.strip()
            for part in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",")
            if part.strip()
        ]
        if len(forwarded) >= proxies:
            address = forwarded[-proxies]
    try:
        return str(ipaddress.ip_address(address)) if address else None
    except ValueError:
        return None


class ThrottledLoginView(auth_views.LoginView):
    def post(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        username = request.POST.get("username", "")
        ip = client_ip(request)
        refusal = throttle.check(username, ip)
        if refusal is not None:
            form = self.get_form()
            form.errors.clear()
            minutes = max(1, (refusal.retry_after_seconds + 59) // 60)
            if refusal.reason == "name":
                message = _("该用户名近期登录失败次数过多，请 %(seconds)s 秒后再试。") % {
                    "seconds": refusal.retry_after_seconds
                }
            else:
                message = _("登录失败次数过多，请 %(minutes)s 分钟后再试。") % {"minutes": minutes}
            form.add_error(None, message)
            response = self.render_to_response(self.get_context_data(form=form, locked=True))
            response.status_code = 429
            response["Retry-After"] = str(refusal.retry_after_seconds)
            return response
        response = super().post(request, *args, **kwargs)
        if request.user.is_authenticated:
            throttle.record_success(username, ip)
        else:
            throttle.record_failure(username, ip)
        return response
