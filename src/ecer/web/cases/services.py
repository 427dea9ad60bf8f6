"""Opening cases from monitoring alarms and red warning lights, moving them on, escalating
missed deadlines and the monthly statistics. The rules are ``ecer.core.cases``."""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from django.conf import settings
from django.db import transaction
from django.db.models import Q, QuerySet
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from ecer.core import cases as core
from ecer.web.accounts.models import Role
from ecer.web.cases.models import Assignee, Case, Source, State, Step
from ecer.web.notifications.events import users_with_role
from ecer.web.notifications.models import Kind
from ecer.web.notifications.outbox import Message, notify

KIND_OF_SOURCE = {
    Source.EXCEEDANCE: Kind.EXCEEDANCE,
    Source.GAP: Kind.GAP,
    Source.OFFLINE: Kind.OFFLINE,
    Source.RED_WARNING: Kind.RED_WARNING,
}


class CaseMoveError(Exception):
    """A move refused, with a message for people."""


def deadlines() -> core.StepDeadlines:
    return core.StepDeadlines(
        assigned_hours=settings.ECER_CASE_VERIFY_HOURS,
        verified_hours=settings.ECER_CASE_RECTIFY_HOURS,
        rectified_hours=settings.ECER_CASE_FEEDBACK_HOURS,
        fed_back_hours=settings.ECER_CASE_CLOSE_HOURS,
    )


def case_url(case: Case) -> str:
    return reverse("cases:detail", args=[case.pk])


# --- who ----------------------------------------------------------------------------------


def assignee_users(case: Case) -> list[Any]:
    if case.assignee == Assignee.ENTERPRISE:
        return users_with_role(Role.ENTERPRISE, enterprise_code=case.enterprise_code)
    if case.assignee == Assignee.DEPARTMENT:
        return users_with_role(Role.DEPARTMENT, department_id=case.department_id)
    if case.area_id is not None:
        return users_with_role(Role.DISTRICT, area_id=case.area_id)
    return []


def supervisors(case: Case, acting: core.Actor) -> list[Any]:
    """Level 1 of an escalation: whoever oversees the party that missed its deadline."""
    if acting == core.Actor.CITY:
        return users_with_role(Role.LEADER)
    if case.assignee == Assignee.ENTERPRISE and case.area_id is not None:
        return users_with_role(Role.DISTRICT, area_id=case.area_id)
    return users_with_role(Role.CITY_ADMIN)


def city_users() -> list[Any]:
    return users_with_role(Role.CITY_ADMIN) + users_with_role(Role.LEADER)


def visible_cases(scope: Any) -> QuerySet[Case]:
    """Enterprises see their own cases, districts theirs; the city, leaders and the Ecology
    and Environment department see all."""
    cases = Case.objects.select_related("area", "point")
    if scope.role in (Role.CITY_ADMIN, Role.LEADER) or scope.sees_all_monitoring_points:
        return cases
    if scope.role == Role.DISTRICT:
        return cases.filter(area_id=scope.area_id)
    if scope.role == Role.ENTERPRISE and scope.enterprise_code:
        return cases.filter(assignee=Assignee.ENTERPRISE, enterprise_code=scope.enterprise_code)
    if scope.role == Role.DEPARTMENT:
        return cases.filter(assignee=Assignee.DEPARTMENT, department_id=scope.department_id)
    return cases.none()


def actor_of(scope: Any, case: Case) -> core.Actor | None:
    """The party ``scope`` acts as on ``case``: the city, the assignee, or none."""
    if scope.role == Role.CITY_ADMIN:
        return core.Actor.CITY
    if case.assignee == Assignee.ENTERPRISE:
        if scope.role == Role.ENTERPRISE and scope.enterprise_code == case.enterprise_code:
            return core.Actor.ASSIGNEE
    elif case.assignee == Assignee.DEPARTMENT:
        if scope.role == Role.DEPARTMENT and scope.department_id == case.department_id:
            return core.Actor.ASSIGNEE
    elif scope.role == Role.DISTRICT and case.area_id is not None and scope.area_id == case.area_id:
        return core.Actor.ASSIGNEE
    return None


# --- opening ---------------------------------------------------------------------------------


def _open(
    *,
    source: str,
    key: str,
    title: str,
    detail: str,
    now: datetime,
    area: Any = None,
    point: Any = None,
    target: Any = None,
    enterprise_code: str = "",
    enterprise_name: str = "",
    department: Any = None,
) -> Case | None:
    """Create the case and its dispatch step unless ``key`` has one; tell the assignee."""
    limits = deadlines()
    if enterprise_code:
        assignee = Assignee.ENTERPRISE
    elif department is not None:
        assignee = Assignee.DEPARTMENT
    else:
        assignee = Assignee.DISTRICT
    with transaction.atomic():
        case, created = Case.objects.get_or_create(
            source_key=key,
            defaults={
                "source": source,
                "title": title[:200],
                "detail": detail,
                "area": area,
                "point": point,
                "target": target,
                "enterprise_code": enterprise_code,
                "enterprise_name": enterprise_name,
                "department": department,
                "assignee": assignee,
                "state": State.ASSIGNED,
                "opened_at": now,
                "entered_at": now,
                "step_due_at": core.step_deadline(core.CaseState.ASSIGNED, now, limits),
                "due_at": now + limits.total_allowed,
            },
        )
        if not created:
            return None
        Step.objects.create(case=case, action="assign", state=State.ASSIGNED, at=now)
        told = assignee_users(case) or users_with_role(Role.CITY_ADMIN)
        notify(
            told,
            Message(
                KIND_OF_SOURCE[Source(source)],
                _("派发：%(title)s") % {"title": case.title},
                _("%(detail)s 请于 %(due)s 前核实。")
                % {
                    "detail": detail,
                    "due": timezone.localtime(case.step_due_at).strftime("%Y-%m-%d %H:%M"),
                },
                case_url(case),
            ),
        )
    return case


def alarm_key(record: Any) -> str:
    pollutant = record.pollutant.pollutant if record.pollutant_id else "-"
    start = record.start.isoformat() if record.start else "never"
    raw = f"alarm:{record.point.mn}:{record.kind}:{pollutant}:{start}"
    # Keys stay short whatever a point's MN holds.
    return raw if len(raw) <= 200 else "alarm:" + hashlib.sha256(raw.encode()).hexdigest()


def _alarm_detail(record: Any) -> str:
    point = record.point
    start = timezone.localtime(record.start).strftime("%Y-%m-%d %H:%M") if record.start else "—"
    if record.kind == Source.EXCEEDANCE:
        return _(
            "%(point)s %(factor)s 自 %(start)s 起超标，最大值 %(peak)s，限值 %(limit)s %(unit)s。"
        ) % {
            "point": point.name,
            "factor": record.pollutant.pollutant if record.pollutant_id else "",
            "start": start,
            "peak": f"{record.peak:g}" if record.peak is not None else "—",
            "limit": f"{record.limit_upper:g}" if record.limit_upper is not None else "—",
            "unit": record.limit_unit,
        }
    if record.kind == Source.GAP:
        return _("%(point)s 自 %(start)s 起缺少 %(n)s 个数据。") % {
            "point": point.name,
            "start": start,
            "n": record.count or 0,
        }
    return _("%(point)s 自 %(start)s 起离线。") % {"point": point.name, "start": start}


def open_from_alarms(now: datetime) -> int:
    """Open a case for each alarm of the journal that has none yet (alarms that started in
    the last ``ECER_CASE_LOOKBACK_DAYS`` days or are still going on)."""
    from ecer.web.monitoring.models import AlarmRecord

    kinds = [k for k in settings.ECER_CASE_ALARM_KINDS if k in Source.values]
    since = now - timedelta(days=settings.ECER_CASE_LOOKBACK_DAYS)
    records = list(
        AlarmRecord.objects.filter(kind__in=kinds)
        .filter(Q(start__gte=since) | Q(ongoing=True))
        .select_related("point", "point__area", "pollutant")
        .order_by("start", "id")
    )
    keys = {alarm_key(r): r for r in records}
    known = set(Case.objects.filter(source_key__in=list(keys)).values_list("source_key", flat=True))
    opened = 0
    for key, record in keys.items():
        if key in known:
            continue
        point = record.point
        title = _("%(point)s %(kind)s") % {"point": point.name, "kind": record.get_kind_display()}
        case = _open(
            source=record.kind,
            key=key,
            title=title,
            detail=_alarm_detail(record),
            now=now,
            area=point.area,
            point=point,
            enterprise_code=point.enterprise_code,
            enterprise_name=point.enterprise_name,
        )
        opened += case is not None
    return opened


def on_alarms_judged(sender: Any, now: datetime, **kwargs: Any) -> None:
    open_from_alarms(now)


def open_from_warnings(year: int, now: datetime) -> int:
    """Open a case for each target whose warning light is red in ``year``: in a district,
    assigned to that district; at city level, to each of the target's lead departments
    (once per target, area, department and year)."""
    from ecer.core.warning import WarningLevel
    from ecer.web.catalog.models import Area
    from ecer.web.catalog.observations_io import active_plan
    from ecer.web.indicators import service

    try:
        plan = active_plan()
    except LookupError:
        return 0
    opened = 0
    for area in Area.objects.order_by("code"):
        for item in service.evaluate(plan, area, year):
            if item.level != WarningLevel.RED:
                continue
            units = list(item.target.lead_departments.all()) if area.is_city else [None]
            for department in units:
                unit = department.code if department is not None else area.code
                case = _open(
                    source=Source.RED_WARNING,
                    key=f"warning:{item.target.code}:{unit}:{year}",
                    title=_("红色预警：%(area)s %(target)s")
                    % {"area": area, "target": item.target.name},
                    detail=_("%(year)s 年 %(target)s 进度落后于序时要求（红色预警）。")
                    % {"year": year, "target": item.target.name},
                    now=now,
                    area=area,
                    target=item.target,
                    department=department,
                )
                opened += case is not None
    return opened


# --- moving on -----------------------------------------------------------------------------


@dataclass(frozen=True)
class Evidence:
    name: str
    content: bytes
    sha256: str


def advance(
    case: Case,
    action: str,
    user: Any,
    scope: Any,
    *,
    note: str = "",
    evidence: Evidence | None = None,
    now: datetime | None = None,
) -> Case:
    """Make ``action`` on ``case`` as ``user``; CaseMoveError says why not."""
    from django.core.files.base import ContentFile

    now = now or timezone.now()
    actor = actor_of(scope, case)
    if actor is None:
        raise CaseMoveError(_("您不是该事项的承办方或市级管理员"))
    try:
        step = core.move(core.CaseState(case.state), core.CaseAction(action), actor)
    except (core.CaseError, ValueError):
        raise CaseMoveError(
            _("当前状态为“%(state)s”，不能执行此操作") % {"state": case.get_state_display()}
        ) from None
    if step.needs_note and not note.strip():
        raise CaseMoveError(_("请填写说明"))
    if step.needs_evidence and evidence is None:
        raise CaseMoveError(_("整改须上传佐证材料"))
    with transaction.atomic():
        moved = Case.objects.filter(pk=case.pk, state=case.state).update(
            state=step.target.value,
            entered_at=now,
            step_due_at=core.step_deadline(step.target, now, deadlines()),
            escalation=0,
            closed_at=now if step.target == core.CaseState.CLOSED else None,
        )
        if moved != 1:
            raise CaseMoveError(_("该事项已被他人处理，请刷新页面"))
        record = Step(
            case=case, action=action, state=step.target.value, user=user, note=note.strip(), at=now
        )
        if evidence is not None:
            record.evidence.save(evidence.name, ContentFile(evidence.content), save=False)
            record.evidence_sha256 = evidence.sha256
        record.save()
        case.refresh_from_db()
        _tell_about_move(case, step, user)
    return case


def _tell_about_move(case: Case, step: core.Move, user: Any) -> None:
    if step.target == core.CaseState.FED_BACK:
        told, text = users_with_role(Role.CITY_ADMIN), _("承办方已反馈整改情况，请审核销号。")
    elif step.action in (core.CaseAction.CLOSE, core.CaseAction.SEND_BACK):
        told = assignee_users(case)
        text = (
            _("市级已销号。")
            if step.action == core.CaseAction.CLOSE
            else _("市级退回，请重新整改。")
        )
    else:
        return
    notify(
        told,
        Message(
            Kind.CASE_UPDATE,
            _("%(state)s：%(title)s") % {"state": case.get_state_display(), "title": case.title},
            text,
            case_url(case),
        ),
    )


# --- deadlines -------------------------------------------------------------------------------


def check_deadlines(now: datetime | None = None) -> int:
    """Escalate every open case whose step deadline has passed (each level once per step);
    returns the escalations sent."""
    now = now or timezone.now()
    limits = deadlines()
    sent = 0
    late = Case.objects.exclude(state=State.CLOSED).filter(step_due_at__lt=now)
    for case in late.select_related("area"):
        state = core.CaseState(case.state)
        due = core.escalations_due(state, case.entered_at, now, limits, case.escalation)
        if not due:
            continue
        with transaction.atomic():
            highest = max(due)
            if (
                Case.objects.filter(
                    pk=case.pk, state=case.state, escalation=case.escalation
                ).update(escalation=int(highest))
                != 1
            ):
                continue  # moved on or escalated by another worker meanwhile
            for level in due:
                _escalate(case, state, level, now)
                sent += 1
    return sent


def _escalate(
    case: Case, state: core.CaseState, level: core.EscalationLevel, now: datetime
) -> None:
    acting = core.ACTING[state]
    told = supervisors(case, acting) if level == core.EscalationLevel.SUPERVISOR else city_users()
    Step.objects.create(
        case=case,
        action="escalate",
        state=case.state,
        note=_("%(state)s 环节超过时限，第 %(level)s 级督办")
        % {
            "state": case.get_state_display(),
            "level": int(level),
        },
        at=now,
    )
    due = (
        timezone.localtime(case.step_due_at).strftime("%Y-%m-%d %H:%M") if case.step_due_at else ""
    )
    notify(
        told,
        Message(
            Kind.ESCALATED,
            _("督办：%(title)s") % {"title": case.title},
            _("“%(state)s”环节应于 %(due)s 前完成，已超时（第 %(level)s 级督办）。")
            % {"state": case.get_state_display(), "due": due, "level": int(level)},
            case_url(case),
        ),
    )
    if level == core.EscalationLevel.SUPERVISOR:
        doers = (
            assignee_users(case)
            if acting == core.Actor.ASSIGNEE
            else users_with_role(Role.CITY_ADMIN)
        )
        notify(
            doers,
            Message(
                Kind.OVERDUE,
                _("已逾期：%(title)s") % {"title": case.title},
                _("“%(state)s”环节应于 %(due)s 前完成，已逾期并上报督办。")
                % {"state": case.get_state_display(), "due": due},
                case_url(case),
            ),
        )


# --- statistics ------------------------------------------------------------------------------


def monthly(scope: Any, year: int, month: int, by: str) -> list[core.MonthStats]:
    """The month's statistics per district (``by="area"``) or per enterprise."""
    start = timezone.make_aware(datetime(year, month, 1))
    end = timezone.make_aware(datetime(year + month // 12, month % 12 + 1, 1))
    cases = visible_cases(scope).filter(
        Q(opened_at__gte=start, opened_at__lt=end) | Q(closed_at__gte=start, closed_at__lt=end)
    )
    rows = []
    for case in cases:
        if by == "area":
            group = str(case.area) if case.area_id else _("未指定县区")
        else:
            if case.assignee != Assignee.ENTERPRISE:
                continue
            group = case.enterprise_name or case.enterprise_code
        rows.append(
            core.CaseTimes(
                group,
                timezone.localtime(case.opened_at),
                timezone.localtime(case.closed_at) if case.closed_at else None,
                timezone.localtime(case.due_at),
            )
        )
    return core.monthly_stats(rows, year, month)


def is_overdue(case: Case, now: datetime) -> bool:
    return case.state != State.CLOSED and case.step_due_at is not None and case.step_due_at < now


def steps_of(case: Case) -> Sequence[Step]:
    return list(case.steps.select_related("user"))
