"""Issue #21 item 3, end to end: an HJ 212 exceedance sent through the real gateway opens a
case assigned to the point's enterprise, whose user is told; the enterprise verifies,
uploads rectification evidence and feeds back; the city closes it. A second case left alone
escalates when its deadline passes (the clock is the functions' ``now`` parameter)."""

from __future__ import annotations

import asyncio
import hashlib
from datetime import timedelta
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.utils import timezone

from ecer.hj212.gateway import Gateway, GatewayConfig
from ecer.hj212.storage import SQLiteFrameWriter
from ecer.web.cases import services
from ecer.web.cases.models import Assignee, Case, State
from ecer.web.monitoring import journal
from ecer.web.monitoring.models import PointPollutant
from ecer.web.notifications.models import Kind
from ecer.web.quality.models import Notification
from tests.hj212.test_gateway import close, read_replies
from tests.hj212.test_storage import upload
from tests.web.accounts.conftest import World, world  # noqa: F401 - the fixture
from tests.web.test_monitoring_corpus import writer

pytestmark = pytest.mark.django_db(transaction=True)

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


class OnTestDatabase(SQLiteFrameWriter):
    """The storage writer on Django's own in-memory test database, which the gateway's
    shutdown must not close."""

    def close(self) -> None:
        pass


def send_through_gateway(frames: list[bytes]) -> list[Any]:
    # Opened outside the event loop (Django refuses to connect inside one).
    if connection.vendor == "sqlite":
        connection.ensure_connection()
        store: Any = OnTestDatabase("test-database", connection=connection.connection)
    else:
        store = writer()

    async def main() -> list[Any]:
        gateway = Gateway(store, GatewayConfig(port=0, batch_max_delay=0.002))
        await gateway.start()
        try:
            reader, link = await asyncio.open_connection("127.0.0.1", gateway.port)
            link.write(b"".join(frames))
            await link.drain()
            replies = await read_replies(reader, len(frames))
            await close(link)
            return replies
        finally:
            await gateway.shutdown()

    return asyncio.run(main())


def test_exceedance_to_closed_case_and_a_missed_deadline_escalates(
    world: World,  # noqa: F811
    client: Any,
) -> None:
    point = world.own_point  # 海城区, the enterprise user's enterprise
    PointPollutant.objects.create(point=point, pollutant="w01018", upper_limit=50.0)
    PointPollutant.objects.create(point=point, pollutant="w21003", upper_limit=5.0)
    hour = timezone.localtime().replace(minute=0, second=0, microsecond=0) - timedelta(hours=1)
    frame = upload(
        qn=hour.strftime("%Y%m%d%H%M%S") + "001",
        cn="2061",
        data_time=hour.strftime("%Y%m%d%H%M%S"),
        mn=point.mn,
        pw=point.password,
        # COD 80 mg/L over its limit of 50; ammonia 9 over 5.
        cp="w01018-Avg=80.0,w01018-Flag=N;w21003-Avg=9.0,w21003-Flag=N",
    )
    replies = send_through_gateway([frame])
    assert [r.cn for r in replies] == ["9014"]  # acknowledged once stored

    now = timezone.now()
    journal.refresh(now)  # the alarm journal step (`ecer monitoring alarms`)

    opened = Case.objects.count()
    exceedances = Case.objects.filter(source="exceedance")
    cases = {c.detail.split()[1]: c for c in exceedances}
    assert set(cases) == {"w01018", "w21003"}
    cod, ammonia = cases["w01018"], cases["w21003"]
    assert (cod.assignee, cod.enterprise_code, cod.area.code) == (
        Assignee.ENTERPRISE,
        point.enterprise_code,
        "haicheng",
    )
    assert cod.state == State.ASSIGNED and "80" in cod.detail
    firm = world.users["enterprise"]
    told = Notification.objects.filter(user=firm, url=f"/cases/{cod.pk}/")
    assert told.count() == 1 and told[0].title.startswith("派发")
    before = set(Case.objects.values_list("source_key", flat=True))
    journal.refresh(now + timedelta(minutes=5))  # judged again: no second case for an alarm
    after = list(Case.objects.values_list("source", "source_key"))
    assert len(after) == len(set(after)) and before <= {key for _, key in after}
    # Five minutes later a new gap or offline episode may begin (a new alarm, a new case);
    # the exceedances are the same two alarms, still one case each.
    assert Case.objects.filter(source="exceedance").count() == 2, after
    assert Case.objects.count() - opened <= 1, after

    # The enterprise verifies, rectifies with evidence and feeds back.
    client.force_login(firm)
    detail = client.get(f"/cases/{cod.pk}/").content.decode()
    assert 'data-move="verify"' in detail and 'data-move="close"' not in detail
    base = f"/cases/{cod.pk}/move/"
    client.post(base, {"action": "verify", "note": "属实：进水负荷突增"})
    refused = client.post(base, {"action": "rectify", "note": "已调整曝气"}, follow=True)
    assert "整改须上传佐证材料" in refused.content.decode()
    evidence = SimpleUploadedFile("整改报告.pdf", PDF, content_type="application/pdf")
    client.post(base, {"action": "rectify", "note": "已调整曝气", "evidence": evidence})
    client.post(base, {"action": "feed_back", "note": "已恢复达标"})
    cod.refresh_from_db()
    assert cod.state == State.FED_BACK
    step = cod.steps.get(action="rectify")
    assert step.evidence_sha256 == hashlib.sha256(PDF).hexdigest()
    assert client.get(f"/cases/{cod.pk}/steps/{step.pk}/evidence/").content == PDF
    # The enterprise cannot close its own case.
    client.post(base, {"action": "close"})
    cod.refresh_from_db()
    assert cod.state == State.FED_BACK

    admin = world.users["city_admin"]
    assert Notification.objects.filter(
        user=admin, url=f"/cases/{cod.pk}/", title__contains="已反馈"
    ).exists()
    client.force_login(admin)
    client.post(base, {"action": "close"})
    cod.refresh_from_db()
    assert cod.state == State.CLOSED and cod.closed_at is not None
    assert Notification.objects.filter(user=firm, title__contains="已销号").exists()

    # A department sees no enterprise's case.
    client.force_login(world.users["department"])
    assert client.get(f"/cases/{cod.pk}/").status_code == 404

    # The ammonia case was never verified: 24 h allowed; level 1 after, level 2 24 h later.
    Case.objects.exclude(pk__in=[cod.pk, ammonia.pk]).delete()  # only the ammonia case is left
    assert services.check_deadlines(now + timedelta(hours=23)) == 0
    assert services.check_deadlines(now + timedelta(hours=25)) == 1
    ammonia.refresh_from_db()
    assert ammonia.escalation == 1
    district = world.users["district"]  # 海城区 oversees the enterprise
    escalated = Notification.objects.filter(user=district, url=f"/cases/{ammonia.pk}/")
    assert [n.title for n in escalated] == [f"督办：{ammonia.title}"]
    assert Notification.objects.filter(user=firm, title=f"已逾期：{ammonia.title}").exists()
    assert services.check_deadlines(now + timedelta(hours=26)) == 0  # once per level
    assert services.check_deadlines(now + timedelta(hours=49, minutes=1)) == 1
    assert Notification.objects.filter(user=admin, title=f"督办：{ammonia.title}").exists()
    from ecer.web.notifications.models import Delivery

    assert Delivery.objects.filter(kind=Kind.ESCALATED, user=district).exists()

    # The list filters by state and overdue; the statistics count the closed case.
    client.force_login(admin)
    listed = client.get("/cases/?state=closed").content.decode()
    assert f'data-case="{cod.pk}"' in listed and f'data-case="{ammonia.pk}"' not in listed
    late = client.get("/cases/?overdue=on").content.decode()
    assert f'data-case="{ammonia.pk}"' not in late  # its deadline has not passed on the real clock
    local = timezone.localtime(now)
    stats = client.get(f"/cases/stats/?year={local.year}&month={local.month}")
    [haicheng] = [s for s in stats.context["by_area"] if s.group == "海城区"]
    assert (haicheng.opened, haicheng.closed, haicheng.closed_on_time) == (2, 1, 1)
