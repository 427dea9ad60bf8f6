"""Sign-in with throttling."""

from __future__ import annotations

from typing import Any

from django.contrib.auth import views as auth_views
from django.http import HttpRequest, HttpResponse
from django.utils.translation import gettext as _

from ecer.web.accounts import throttle


def client_ip(request: HttpRequest) -> str | None:
    return request.META.get("REMOTE_ADDR")


class ThrottledLoginView(auth_views.LoginView):
    def post(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        username = request.POST.get("username", "")
        ip = client_ip(request)
        if throttle.is_locked(username, ip):
            form = self.get_form()
            form.errors.clear()
            form.add_error(None, _("登录失败次数过多，请 15 分钟后再试。"))
            response = self.render_to_response(self.get_context_data(form=form, locked=True))
            response.status_code = 429
            return response
        response = super().post(request, *args, **kwargs)
        if request.user.is_authenticated:
            throttle.clear(username)
        else:
            throttle.record_failure(username, ip)
        return response
