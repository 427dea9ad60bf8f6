"""Issue #21 item 2: a district submits a figure → the city administrator is told in-app, by
e-mail at a real SMTP server and by a WeCom robot at a real HTTP receiver; the administrator
returns it → the district is told; every delivery is recorded. A failing channel is retried
with backoff and reported, and never holds up the request."""

from __future__ import annotations

import base64
import hashlib
import hmac
from datetime import timedelta
from typing import Any
from urllib.parse import parse_qs, urlsplit

import pytest
from django.utils import timezone

from ecer.web.audit.models import Status
from ecer.web.catalog.models import Area, Observation
from ecer.web.notifications import channels, outbox
from ecer.web.notifications.models import (
    Channel,
    Delivery,
    DeliveryState,
    Kind,
    Preference,
    Provider,
    WebhookEndpoint,
)
from ecer.web.quality.models import Notification
from tests.web.accounts.conftest import World, world  # noqa: F401 - the fixture

pytestmark = pytest.mark.django_db


def draft(world: World) -> Observation:  # noqa: F811
    Observation.objects.filter(pk=world.own_obs.pk).update(status=Status.DRAFT)
    return world.own_obs


def robots(receivers: Any, city_plan: list[int] | None = None) -> tuple[Any, Any]:
    city, district = receivers(city_plan), receivers()
    WebhookEndpoint.objects.create(name="市发改委群", provider=Provider.WECOM, url=city.url)
    WebhookEndpoint.objects.create(
        name="海城区群",
        provider=Provider.DINGTALK,
        url=district.url,
        area=Area.objects.get(code="haicheng"),
    )
    return city, district


def test_submit_and_return_reach_people_through_every_channel(
    world: World,  # noqa: F811
    client: Any,
    smtp_server: Any,
    receivers: Any,
) -> None:
    admin, district = world.users["city_admin"], world.users["district"]
    admin.email, district.email = "admin@example.org", "haicheng@example.org"
    admin.save()
    district.save()
    city_robot, district_robot = robots(receivers)
    obs = draft(world)

    client.force_login(district)
    response = client.post(f"/observations/{obs.pk}/submit/")
    assert response.status_code == 302
    # Nothing left the platform inside the request: the e-mail and the robot call wait.
    assert smtp_server.messages == [] and city_robot.calls == []
    [told] = Notification.objects.filter(user=admin)
    assert told.url == f"/observations/{obs.pk}/" and "待审核" in told.title

    assert str(outbox.deliver_due()) == "sent 2, to retry 0, failed 0"
    [mail] = smtp_server.messages
    assert mail["to"] == "admin@example.org" and mail["subject"] == told.title
    [call] = city_robot.calls
    assert call["json"]["msgtype"] == "markdown"
    assert told.title in call["json"]["markdown"]["content"]  # WeCom: content only
    assert district_robot.calls == []

    client.force_login(admin)
    response = client.post(f"/observations/{obs.pk}/return/", {"reason": "缺少来源说明"})
    assert response.status_code == 302
    [back] = Notification.objects.filter(user=district)
    assert "被退回" in back.title and "缺少来源说明" in back.body
    outbox.deliver_due()
    assert smtp_server.messages[-1]["to"] == "haicheng@example.org"
    [dingtalk] = district_robot.calls
    assert set(dingtalk["json"]["markdown"]) == {"title", "text"}  # DingTalk's format

    # Who was told what, when, through which channel, delivered or not.
    log = {
        (d.kind, d.channel, d.recipients, d.state)
        for d in Delivery.objects.all()
        if d.sent_at is not None
    }
    assert log == {
        (Kind.SUBMITTED, Channel.IN_APP, "cityadmin", DeliveryState.SENT),
        (Kind.SUBMITTED, Channel.EMAIL, "admin@example.org", DeliveryState.SENT),
        (Kind.SUBMITTED, Channel.WEBHOOK, "cityadmin", DeliveryState.SENT),
        (Kind.RETURNED, Channel.IN_APP, "haicheng", DeliveryState.SENT),
        (Kind.RETURNED, Channel.EMAIL, "haicheng@example.org", DeliveryState.SENT),
        (Kind.RETURNED, Channel.WEBHOOK, "haicheng", DeliveryState.SENT),
    }
    page = client.get("/notifications/deliveries/")
    assert page.status_code == 200 and "admin@example.org" in page.content.decode()


def test_a_receiver_failing_twice_gets_the_message_on_the_third_try(
    world: World,  # noqa: F811
    client: Any,
    settings: Any,
    receivers: Any,
) -> None:
    settings.ECER_NOTIFY_RETRY_SECONDS = 30
    city_robot, _ = robots(receivers, city_plan=[500, 503])
    client.force_login(world.users["district"])
    client.post(f"/observations/{draft(world).pk}/submit/")
    [delivery] = Delivery.objects.filter(channel=Channel.WEBHOOK)
    start = timezone.now()

    assert outbox.deliver_due(start).retried == 1
    delivery.refresh_from_db()
    assert (delivery.state, delivery.attempts) == (DeliveryState.PENDING, 1)
    assert "HTTP 500" in delivery.last_error
    assert delivery.next_attempt_at == start + timedelta(seconds=30)  # backoff: 30 s
    assert outbox.deliver_due(start + timedelta(seconds=29)).retried == 0  # not due yet

    outbox.deliver_due(start + timedelta(seconds=30))
    delivery.refresh_from_db()
    assert (delivery.attempts, delivery.next_attempt_at) == (2, start + timedelta(seconds=90))
    assert "HTTP 503" in delivery.last_error  # then 60 s more

    assert outbox.deliver_due(start + timedelta(seconds=90)).sent == 1
    delivery.refresh_from_db()
    assert (delivery.state, delivery.attempts, delivery.last_error) == (DeliveryState.SENT, 3, "")
    assert len(city_robot.calls) == 3


def test_a_receiver_that_always_fails_is_reported_and_never_blocks_the_request(
    world: World,  # noqa: F811
    client: Any,
    settings: Any,
    receivers: Any,
) -> None:
    settings.ECER_NOTIFY_MAX_ATTEMPTS = 3
    robots(receivers, city_plan=[500] * 10)
    client.force_login(world.users["district"])
    response = client.post(f"/observations/{draft(world).pk}/submit/")
    assert response.status_code == 302  # answered without waiting for any robot
    now = timezone.now()
    for minutes in (0, 10, 20):
        outbox.deliver_due(now + timedelta(minutes=minutes))
    [delivery] = Delivery.objects.filter(channel=Channel.WEBHOOK)
    assert (delivery.state, delivery.attempts) == (DeliveryState.FAILED, 3)
    assert outbox.deliver_due(now + timedelta(hours=9)).sent == 0  # given up: not tried again
    # Reported to the city administrators, in-app, linking to the failed deliveries.
    report = Notification.objects.get(
        user=world.users["city_admin"], title__startswith="通知发送失败"
    )
    assert "群机器人" in report.body and report.url == "/notifications/deliveries/?state=failed"


def test_an_unreachable_smtp_server_is_retried(world: World, settings: Any) -> None:  # noqa: F811
    from tests.web.notifications.conftest import free_port

    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT = "127.0.0.1", free_port()  # nobody listens
    admin = world.users["city_admin"]
    admin.email = "admin@example.org"
    admin.save()
    outbox.notify([admin], outbox.Message(Kind.OVERDUE, "到期提醒", "", "/"))
    summary = outbox.deliver_due()
    assert summary.retried == 1
    assert "e-mail to admin@example.org" in Delivery.objects.get(channel=Channel.EMAIL).last_error


def test_each_user_chooses_channels_per_kind(world: World, client: Any) -> None:  # noqa: F811
    admin = world.users["city_admin"]
    admin.email = "admin@example.org"
    admin.save()
    client.force_login(admin)
    on = [f"{k}:{c}" for k in Kind.values for c in Channel.values]
    on.remove(f"{Kind.SUBMITTED}:{Channel.EMAIL}")
    assert client.post("/notifications/settings/", {"on": on}).status_code == 302
    assert (
        Preference.objects.get(user=admin, kind=Kind.SUBMITTED, channel=Channel.EMAIL).enabled
        is False
    )

    outbox.notify([admin], outbox.Message(Kind.SUBMITTED, "待审核", "", "/"))
    outbox.notify([admin], outbox.Message(Kind.RETURNED, "被退回", "", "/"))
    emails = list(Delivery.objects.filter(channel=Channel.EMAIL).values_list("kind", flat=True))
    assert emails == [Kind.RETURNED]
    page = client.get("/notifications/settings/").content.decode()
    assert f'value="{Kind.SUBMITTED}:{Channel.EMAIL}" checked' not in page
    assert f'value="{Kind.RETURNED}:{Channel.EMAIL}" checked' in page


def test_the_centre_marks_an_item_read_when_opened(world: World, client: Any) -> None:  # noqa: F811
    admin = world.users["city_admin"]
    outbox.notify([admin], outbox.Message(Kind.OVERDUE, "到期提醒", "说明", "/cases/"))
    outbox.notify([admin], outbox.Message(Kind.OVERDUE, "外部链接", "", "https://evil.example/"))
    client.force_login(admin)
    page = client.get("/notifications/?unread=1").content.decode()
    assert "到期提醒" in page and "外部链接" in page
    first = Notification.objects.get(title="到期提醒")
    assert client.get(f"/notifications/{first.pk}/open/")["Location"] == "/cases/"
    first.refresh_from_db()
    assert first.read_at is not None
    other = Notification.objects.get(title="外部链接")
    assert client.get(f"/notifications/{other.pk}/open/")["Location"] == "/notifications/"
    assert client.get("/quality/notifications/")["Location"] == "/notifications/"
    client.post("/notifications/read-all/")
    assert not Notification.objects.filter(user=admin, read_at=None).exists()
    # Nobody opens another user's notification.
    client.force_login(world.users["district"])
    assert client.get(f"/notifications/{first.pk}/open/").status_code == 404


def test_dingtalk_signature_follows_its_documented_recipe() -> None:
    # sign = urlencode(base64(HMAC-SHA256(secret, f"{timestamp}\n{secret}"))).
    url = channels.dingtalk_signed_url(
        "https://robot.example/send?access_token=x", "SEC1", 1700000000000
    )
    query = parse_qs(urlsplit(url).query)
    expected = base64.b64encode(
        hmac.new(b"SEC1", b"1700000000000\nSEC1", hashlib.sha256).digest()
    ).decode()
    assert query["timestamp"] == ["1700000000000"] and query["sign"] == [expected]
    assert query["access_token"] == ["x"]


@pytest.mark.parametrize(
    ("url", "ok"),
    [
        ("https://qyapi.weixin.qq.com/cgi-bin/webhook/send?key=1", True),
        ("http://10.0.0.5:8080/hook", True),
        ("file:///etc/passwd", False),
        ("javascript:alert(1)", False),
        ("ftp://host/x", False),
        ("https://user:pw@host/x", False),
    ],
)
def test_webhook_addresses_are_http_or_https_only(
    world: World,  # noqa: F811
    client: Any,
    url: str,
    ok: bool,
) -> None:
    client.force_login(world.users["city_admin"])
    response = client.post(
        "/notifications/webhooks/",
        {"name": "群", "provider": Provider.WECOM, "url": url, "enabled": "on"},
    )
    assert (response.status_code == 302) is ok
    assert WebhookEndpoint.objects.filter(url=url).exists() is ok
    if not ok:
        assert "网址" in response.content.decode() or "URL" in response.content.decode()


def test_only_the_city_configures_robots(world: World, client: Any) -> None:  # noqa: F811
    client.force_login(world.users["district"])
    assert client.get("/notifications/webhooks/").status_code == 403
