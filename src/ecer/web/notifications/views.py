"""The notification centre (read and unread, each linking to its item), each user's channels
per kind, the delivery record, and the city's group robots."""

from __future__ import annotations

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _lazy
from django.views.decorators.http import require_POST

from ecer.web.accounts.decorators import city_admin_required, scoped
from ecer.web.listing import Column, Listing
from ecer.web.notifications.forms import WebhookForm
from ecer.web.notifications.models import (
    Channel,
    Delivery,
    DeliveryState,
    Kind,
    Preference,
    WebhookEndpoint,
)
from ecer.web.quality.models import Notification


def _read_state(item: Notification) -> str:
    return str(_lazy("已读")) if item.read_at else str(_lazy("未读"))


NOTIFICATIONS = Listing(
    name="notifications",
    title=_lazy("通知"),
    columns=(
        Column("time", _lazy("时间"), lambda n: n.created_at, ("created_at",)),
        Column("title", _lazy("标题"), lambda n: n.title, ("title",)),
        Column("body", _lazy("内容"), lambda n: n.body or None, sortable=False),
        Column("read", _lazy("状态"), _read_state, ("read_at",)),
    ),
    default_sort="-time",
    search_fields=("title", "body"),
)


@scoped
def centre(request: HttpRequest) -> HttpResponse:
    # Only the user's own notifications, ever.
    items = Notification.objects.filter(user=request.user)
    unread_only = request.GET.get("unread") == "1"
    if unread_only:
        items = items.filter(read_at=None)
    listing = NOTIFICATIONS.run(request, items)
    if listing.wants_export:
        return listing.xlsx()
    return render(
        request,
        "notifications/centre.html",
        {
            "notifications": listing.rows,
            "listing": listing,
            "page": listing.page,
            "unread_only": unread_only,
        },
    )


def _local(url: str, request: HttpRequest) -> bool:
    return bool(url) and url_has_allowed_host_and_scheme(
        url, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    )


@scoped
def open_notification(request: HttpRequest, pk: int) -> HttpResponse:
    """Mark one notification read and go to its item."""
    item = get_object_or_404(Notification, pk=pk, user=request.user)
    if item.read_at is None:
        Notification.objects.filter(pk=item.pk).update(read_at=timezone.now())
    return redirect(item.url if _local(item.url, request) else "notifications:centre")


@require_POST
@scoped
def read_all(request: HttpRequest) -> HttpResponse:
    Notification.objects.filter(user=request.user, read_at=None).update(read_at=timezone.now())
    messages.success(request, _("已全部标为已读"))
    return redirect("notifications:centre")


@scoped
def preferences(request: HttpRequest) -> HttpResponse:
    """Each kind × channel as a checkbox named ``<kind>:<channel>``; unchecked is off."""
    if request.method == "POST":
        on = set(request.POST.getlist("on"))
        for kind in Kind.values:
            for channel in Channel.values:
                Preference.objects.update_or_create(
                    user=request.user,
                    kind=kind,
                    channel=channel,
                    defaults={"enabled": f"{kind}:{channel}" in on},
                )
        messages.success(request, _("通知设置已保存"))
        return redirect("notifications:preferences")
    off = set(
        Preference.objects.filter(user=request.user, enabled=False).values_list("kind", "channel")
    )
    rows = [
        {
            "label": label,
            "cells": [
                {"name": f"{kind}:{channel}", "on": (kind, channel) not in off, "label": clabel}
                for channel, clabel in Channel.choices
            ],
        }
        for kind, label in Kind.choices
    ]
    return render(
        request,
        "notifications/preferences.html",
        {"rows": rows, "channels": Channel.choices, "email": request.user.email},
    )


def _channel(d: Delivery) -> str:
    channel = str(d.get_channel_display())
    return f"{channel} {d.endpoint.name}" if d.endpoint else channel


DELIVERIES = Listing(
    name="notification-deliveries",
    title=_lazy("通知发送记录"),
    columns=(
        Column("time", _lazy("时间"), lambda d: d.created_at, ("created_at",)),
        Column("kind", _lazy("类型"), lambda d: str(d.get_kind_display()), ("kind",)),
        Column("channel", _lazy("渠道"), _channel, ("channel", "endpoint__name")),
        Column("recipients", _lazy("通知对象"), lambda d: d.recipients or None, ("recipients",)),
        Column("title", _lazy("标题"), lambda d: d.title, ("title",)),
        Column("state", _lazy("状态"), lambda d: str(d.get_state_display()), ("state",)),
        Column("attempts", _lazy("尝试次数"), lambda d: d.attempts, ("attempts",), numeric=True),
        Column("sent", _lazy("送达时间"), lambda d: d.sent_at, ("sent_at",)),
        Column("error", _lazy("最近错误"), lambda d: d.last_error or None, sortable=False),
    ),
    default_sort="-time",
    search_fields=("title", "recipients", "endpoint__name", "last_error"),
)


@scoped
def deliveries(request: HttpRequest) -> HttpResponse:
    """What was sent to whom through which channel, and whether it arrived: the city
    administrators see every delivery, others their own."""
    scope = request.scope  # type: ignore[attr-defined]
    rows = Delivery.objects.select_related("user", "endpoint")
    if not scope.is_city_admin:
        rows = rows.filter(user=request.user)
    state = request.GET.get("state", "")
    if state:
        if state not in DeliveryState.values:
            raise Http404("unknown state")
        rows = rows.filter(state=state)
    listing = DELIVERIES.run(request, rows)
    if listing.wants_export:
        return listing.xlsx()
    return render(
        request,
        "notifications/deliveries.html",
        {
            "deliveries": listing.rows,
            "listing": listing,
            "page": listing.page,
            "state": state,
            "states": DeliveryState.choices,
        },
    )


@city_admin_required
def webhooks(request: HttpRequest) -> HttpResponse:
    form = WebhookForm(request.POST or None, scope=request.scope)  # type: ignore[attr-defined]
    if request.method == "POST" and form.is_valid():
        form.save()
        messages.success(request, _("群机器人已添加"))
        return redirect("notifications:webhooks")
    return render(
        request,
        "notifications/webhooks.html",
        {"form": form, "endpoints": WebhookEndpoint.objects.select_related("area", "department")},
    )


@city_admin_required
def webhook_edit(request: HttpRequest, pk: int) -> HttpResponse:
    endpoint = get_object_or_404(WebhookEndpoint, pk=pk)
    form = WebhookForm(
        request.POST or None,
        instance=endpoint,
        scope=request.scope,  # type: ignore[attr-defined]
    )
    if request.method == "POST" and form.is_valid():
        form.save()
        messages.success(request, _("已保存"))
        return redirect("notifications:webhooks")
    return render(request, "notifications/webhook_edit.html", {"form": form, "endpoint": endpoint})


@require_POST
@city_admin_required
def webhook_delete(request: HttpRequest, pk: int) -> HttpResponse:
    get_object_or_404(WebhookEndpoint, pk=pk).delete()
    messages.success(request, _("已删除"))
    return redirect("notifications:webhooks")
