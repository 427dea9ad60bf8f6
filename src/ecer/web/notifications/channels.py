"""The channels that leave the platform: e-mail through Django's mail (SMTP), and the group
robots of WeCom (企业微信) and DingTalk (钉钉) through their webhook message formats.

WeCom group robot: POST ``{"msgtype": "markdown", "markdown": {"content": …}}``.
DingTalk custom robot: POST ``{"msgtype": "markdown", "markdown": {"title": …, "text": …}}``;
with the "加签" security setting the URL carries ``timestamp`` (milliseconds) and ``sign`` =
Base64(HMAC-SHA256(key=secret, message=f"{timestamp}\\n{secret}")), URL-encoded. Both answer
``{"errcode": 0, …}`` when they accept a message.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import time
import urllib.error
import urllib.request
from typing import Any
from urllib.parse import quote_plus

from django.conf import settings
from django.core.mail import EmailMessage, get_connection
from django.utils.translation import gettext as _

from ecer.web.notifications.models import Channel, Delivery, Provider, validate_webhook_url


class SendError(Exception):
    """The channel did not take the message (the worker retries it)."""


def email_payload(address: str, title: str, body: str, link: str) -> dict[str, str]:
    text = body + (f"\n\n{_('查看')}：{link}" if link else "")
    return {"to": address, "subject": title, "body": text}


def robot_message(provider: str, title: str, body: str, link: str) -> dict[str, Any]:
    """The robot's JSON message (markdown) for ``provider``."""
    lines = [f"**{title}**"]
    if body:
        lines.append(body)
    if link:
        details = _("查看详情")
        lines.append(f"[{details}]({link})")
    text = "\n\n".join(lines)
    if provider == Provider.DINGTALK:
        return {"msgtype": "markdown", "markdown": {"title": title, "text": text}}
    return {"msgtype": "markdown", "markdown": {"content": text}}


def dingtalk_signed_url(url: str, secret: str, timestamp_ms: int) -> str:
    """The robot URL with DingTalk's signature (the "加签" security setting)."""
    to_sign = f"{timestamp_ms}\n{secret}".encode()
    digest = hmac.new(secret.encode(), to_sign, hashlib.sha256).digest()
    sign = quote_plus(base64.b64encode(digest).decode())
    separator = "&" if "?" in url else "?"
    return f"{url}{separator}timestamp={timestamp_ms}&sign={sign}"


class _NoRedirects(urllib.request.HTTPRedirectHandler):
    """A robot answers where it is; a redirect could point anywhere (this site included)."""

    def redirect_request(self, *args: Any, **kwargs: Any) -> None:
        return None


_opener = urllib.request.build_opener(_NoRedirects)


def send(delivery: Delivery) -> None:
    if delivery.channel == Channel.EMAIL:
        _send_email(delivery.payload)
    elif delivery.channel == Channel.WEBHOOK:
        if delivery.endpoint is None or not delivery.endpoint.enabled:
            raise SendError("the group robot was removed or disabled")
        _post_robot(
            delivery.endpoint.provider,
            delivery.endpoint.url,
            delivery.endpoint.secret,
            delivery.payload,
        )
    else:
        raise SendError(f"channel {delivery.channel} is not sent by the worker")


def _send_email(payload: dict[str, str]) -> None:
    try:
        connection = get_connection(timeout=settings.ECER_NOTIFY_TIMEOUT_SECONDS)
        EmailMessage(
            payload["subject"], payload["body"], None, [payload["to"]], connection=connection
        ).send()
    except (OSError, KeyError) as exc:  # smtplib's errors are OSErrors
        raise SendError(f"e-mail to {payload.get('to')}: {exc}") from exc


def _post_robot(provider: str, url: str, secret: str, message: dict[str, Any]) -> None:
    try:
        validate_webhook_url(url)
    except Exception as exc:
        raise SendError(f"refused webhook URL {url!r}") from exc
    if provider == Provider.DINGTALK and secret:
        url = dingtalk_signed_url(url, secret, int(time.time() * 1000))
    request = urllib.request.Request(
        url,
        data=json.dumps(message, ensure_ascii=False).encode("utf-8"),
        headers={"Content-Type": "application/json; charset=utf-8"},
        method="POST",
    )
    try:
        with _opener.open(request, timeout=settings.ECER_NOTIFY_TIMEOUT_SECONDS) as response:
            status = response.status
            answer = response.read(65536)
    except urllib.error.HTTPError as exc:
        raise SendError(f"webhook answered HTTP {exc.code}") from exc
    except (urllib.error.URLError, OSError) as exc:
        raise SendError(f"webhook unreachable: {exc}") from exc
    if not 200 <= status < 300:
        raise SendError(f"webhook answered HTTP {status}")
    try:
        reply = json.loads(answer or b"{}")
    except ValueError:
        return  # a 2xx without JSON: taken as accepted
    if isinstance(reply, dict) and reply.get("errcode", 0) != 0:
        raise SendError(
            f"webhook refused the message: {reply.get('errcode')} {reply.get('errmsg', '')}"
        )
