"""Each role's to-do (待办): the one place its counts are computed. The home page shows it and
the navigation shows its counts (``ecer.web.home.context``); nothing else counts them.

* city administrator: items to review (figures, task reports, enterprise reports), open
  data-quality findings, alarms without a handler, overdue units;
* department and district users: this period's figures and task reports to file, returned
  items, overdue items (those they answer for: ``reminders.responsible_for``);
* enterprise user: its own annual report's status, meter gaps, its points' alarms, and the
  findings it must rectify;
* leader: districts and departments ranked, each with a one-line reason.

Due dates, overdue items and their links come from the reminder machinery
(``ecer.web.quality.reminders``), so the to-do and the reminders never disagree.

Alarms without a handler: the ongoing alarm records of the user's points that no case of the
alarm case loop (``ecer.web.cases``) has claimed (``alarms_without_handler``).
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date
from typing import Any
from urllib.parse import urlencode

from django.core.cache import cache
from django.http import HttpRequest
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from ecer.core import schedule as core_schedule
from ecer.web.accounts.models import Role
from ecer.web.accounts.scope import Scope
from ecer.web.audit.models import Status
from ecer.web.catalog.labels import period_label
from ecer.web.catalog.models import Area, Observation, Plan, Target
from ecer.web.enterprises.models import EnergyReport, Enterprise
from ecer.web.monitoring.models import AlarmRecord, MonitoringPoint
from ecer.web.quality import reminders
from ecer.web.quality.models import Finding, FindingStatus
from ecer.web.quality.services import visible_findings
from ecer.web.tasks import services as task_services
from ecer.web.tasks.models import ProgressReport

# A section lists this many lines; its count and its link cover all.
MAX_LINES = 8
# "This period's" submissions: those falling due within this many days [d].
AHEAD_DAYS = 100
# The navigation reads the counts the last to-do computed for the user for this long [s]; the
# home page always computes them afresh.
NAV_CACHE_SECONDS = 60
# The meter-completeness findings of an enterprise are its meter gaps.
METER_GAP_KIND = "online_energy_series"


@dataclass(frozen=True)
class Line:
    text: str
    url: str
    note: str = ""


@dataclass(frozen=True)
class Section:
    key: str
    title: str
    count: int
    url: str
    lines: tuple[Line, ...] = ()
    empty: str = ""
    # The count is of things to do (False: shown for information, e.g. a report under review).
    actionable: bool = True


@dataclass(frozen=True)
class Ranked:
    """A district or department in the leader's ranking: worst first."""

    rank: int
    kind: str
    unit: str
    reason: str
    needs_attention: bool
    url: str


@dataclass(frozen=True)
class ToDo:
    role: str
    sections: tuple[Section, ...]
    ranking: tuple[Ranked, ...] = ()
    note: str = ""
    extra: dict[str, Any] = field(default_factory=dict)

    @property
    def total(self) -> int:
        """The navigation's count: things to do, or, for the leader, units needing attention."""
        if self.role == Role.LEADER:
            return sum(1 for r in self.ranking if r.needs_attention)
        return sum(s.count for s in self.sections if s.actionable)

    def counts(self) -> dict[str, int]:
        return {"total": self.total, **{s.key: s.count for s in self.sections}}


# --- shared pieces ------------------------------------------------------------------------


def _plan() -> Plan | None:
    return Plan.objects.order_by("-target_year", "code").first()


def _lines(rows: list[Line]) -> tuple[Line, ...]:
    return tuple(rows[:MAX_LINES])


def alarms_without_handler(scope: Scope) -> list[AlarmRecord]:
    """Ongoing alarm records of the points in ``scope`` that no case handles (the alarm case
    loop, ``ecer.web.cases``, opens one per alarm; until it has, the alarm waits here), newest
    first."""
    from ecer.web.cases.models import Case
    from ecer.web.cases.services import alarm_key

    points = scope.monitoring_points(MonitoringPoint.objects.all())
    ongoing = list(
        AlarmRecord.objects.filter(point__in=points, ongoing=True)
        .select_related("point", "pollutant")
        .order_by("-start")
    )
    keys = {record.pk: alarm_key(record) for record in ongoing}
    claimed = set(
        Case.objects.filter(source_key__in=keys.values()).values_list("source_key", flat=True)
    )
    return [record for record in ongoing if keys[record.pk] not in claimed]


def _alarm_section(scope: Scope, title: str) -> Section:
    alarms = alarms_without_handler(scope)
    rows = [
        Line(
            f"{a.point.name} · {a.kind_label}",
            reverse("monitoring:point", args=[a.point_id]),
            _("自 %(start)s 起") % {"start": timezone.localtime(a.start).strftime("%Y-%m-%d %H:%M")}
            if a.start
            else _("从未收到报文"),
        )
        for a in alarms[:MAX_LINES]
    ]
    return Section(
        "alarms",
        title,
        len(alarms),
        f"{reverse('monitoring:alarms')}?ongoing=1",
        tuple(rows),
        _("没有未处理的报警。"),
    )


def _overdue_line(entry: reminders.Expected, today: date) -> Line:
    days = core_schedule.days_overdue(entry.item, today)
    return Line(
        entry.title,
        entry.url,
        _("应于 %(due)s 前报送，已逾期 %(days)s 天") % {"due": entry.item.due, "days": days},
    )


def _due_line(entry: reminders.Expected) -> Line:
    return Line(entry.title, entry.url, _("截止 %(due)s") % {"due": entry.item.due})


def _unit_of(entry: reminders.Expected) -> tuple[str, str]:
    """(kind, name) of the unit that answers for an item."""
    if entry.by_city:
        return _("市级"), _("市级管理员（县区能耗与生产总值数据）")
    if entry.enterprise is not None:
        return _("企业"), entry.enterprise.name
    if entry.departments:
        return _("部门"), "、".join(d.name for d in entry.departments)
    if entry.area is not None:
        return _("县区"), entry.area.name
    return "", _("未指定")


def _split(
    entries: list[reminders.Expected], today: date
) -> tuple[list[reminders.Expected], list[reminders.Expected]]:
    """(overdue, to file): outstanding items past their due date, and those due from today on."""
    late = reminders.overdue_items(today, entries)
    upcoming = sorted(
        (e for e in entries if e.item.due >= today and not e.item.is_submitted(today)),
        key=lambda e: (e.item.due, e.item.key),
    )
    return late, upcoming


# --- city administrator -------------------------------------------------------------------


def city_admin(scope: Scope, user: Any, today: date) -> ToDo:
    observations = Observation.objects.filter(
        status=Status.SUBMITTED,
        area__in=scope.areas(Area.objects.all()),
        target__in=scope.targets(Target.objects.all()),
    ).select_related("target", "area")
    task_reports = ProgressReport.objects.filter(status=Status.SUBMITTED).select_related(
        "task", "department", "area"
    )
    energy_reports = EnergyReport.objects.filter(
        status=Status.SUBMITTED, enterprise__in=scope.enterprises(Enterprise.objects.all())
    ).select_related("enterprise")
    review_rows = [
        Line(
            _("监测值：%(target)s · %(area)s · %(period)s")
            % {
                "target": o.target.name,
                "area": o.area.name,
                "period": period_label(f"{o.year}Q{o.quarter}" if o.quarter else str(o.year)),
            },
            reverse("catalog:observation", args=[o.pk]),
        )
        for o in observations.order_by("submitted_at")[:MAX_LINES]
    ]
    review_rows += [
        Line(
            _("任务进展报告：%(task)s · %(unit)s · %(period)s")
            % {"task": r.task.name, "unit": r.unit_name, "period": period_label(r.period)},
            reverse("tasks:report", args=[r.pk]),
        )
        for r in task_reports.order_by("submitted_at")[:MAX_LINES]
    ]
    review_rows += [
        Line(
            _("能源利用状况报告：%(name)s %(year)s 年")
            % {"name": r.enterprise.name, "year": r.year},
            reverse("enterprises:report", args=[r.enterprise.credit_code, r.year]),
        )
        for r in energy_reports.order_by("submitted_at")[:MAX_LINES]
    ]
    review_count = observations.count() + task_reports.count() + energy_reports.count()
    review = Section(
        "review",
        _("待审核"),
        review_count,
        reverse("catalog:review_queue"),
        _lines(review_rows),
        _("没有待审核的数据或报告。"),
    )
    findings = visible_findings(scope, Finding.objects.filter(status=FindingStatus.OPEN))
    finding_rows = [
        Line(f.label, _finding_url(f), f.message)
        for f in findings.select_related("area", "enterprise").order_by("-found_at")[:MAX_LINES]
    ]
    quality = Section(
        "findings",
        _("未处理的数据质量问题"),
        findings.count(),
        reverse("quality:findings"),
        tuple(finding_rows),
        _("没有未处理的数据质量问题。"),
    )
    alarms = _alarm_section(scope, _("无人处理的报警"))
    late = reminders.overdue_items(today, reminders.expected_items(today))
    by_unit: dict[tuple[str, str], list[reminders.Expected]] = defaultdict(list)
    for entry in late:
        by_unit[_unit_of(entry)].append(entry)
    unit_rows = sorted(
        by_unit.items(),
        key=lambda kv: (-len(kv[1]), kv[0][1]),
    )
    overdue = Section(
        "overdue_units",
        _("逾期未报的单位"),
        len(by_unit),
        reverse("quality:overdue"),
        _lines(
            [
                Line(
                    f"{kind} · {name}" if kind else name,
                    _unit_url(entries[0]),
                    _("%(n)s 项逾期，最长已逾期 %(days)s 天")
                    % {
                        "n": len(entries),
                        "days": max(core_schedule.days_overdue(e.item, today) for e in entries),
                    },
                )
                for (kind, name), entries in unit_rows
            ]
        ),
        _("没有逾期未报的单位。"),
    )
    return ToDo(Role.CITY_ADMIN, (review, quality, alarms, overdue))


def _finding_url(finding: Finding) -> str:
    if finding.enterprise_id is not None:
        return reverse("quality:enterprise", args=[finding.enterprise.credit_code])
    if finding.area_id is not None:
        return reverse("quality:district", args=[finding.area.code])
    return reverse("quality:findings")


def _unit_url(entry: reminders.Expected) -> str:
    if entry.enterprise is not None:
        return reverse("quality:enterprise", args=[entry.enterprise.credit_code])
    if entry.area is not None and not entry.area.is_city and not entry.departments:
        return reverse("quality:district", args=[entry.area.code])
    return reverse("quality:overdue")


# --- department and district users -------------------------------------------------------


def unit_user(scope: Scope, user: Any, today: date) -> ToDo:
    entries = reminders.responsible_for(
        scope, reminders.expected_items(today, ahead_days=AHEAD_DAYS)
    )
    late, upcoming = _split(entries, today)
    to_file = Section(
        "to_file",
        _("本期待报"),
        len(upcoming),
        reverse("quality:overdue"),
        _lines([_due_line(e) for e in upcoming]),
        _("近期（%(days)s 天内）没有到期的数据或任务报告。") % {"days": AHEAD_DAYS},
    )
    returned_observations = [
        o
        for o in Observation.objects.filter(
            status=Status.RETURNED,
            area__in=scope.areas(Area.objects.all()),
            target__in=scope.targets(Target.objects.all()),
        ).select_related("target", "area")
        if scope.can_submit(o.target, o.area)
    ]
    unit = task_services.unit_of(scope)
    returned_reports = list(
        ProgressReport.objects.filter(status=Status.RETURNED, **unit).select_related("task")
    )
    returned_rows = [
        Line(
            _("监测值：%(target)s · %(area)s · %(period)s")
            % {
                "target": o.target.name,
                "area": o.area.name,
                "period": period_label(f"{o.year}Q{o.quarter}" if o.quarter else str(o.year)),
            },
            reverse("catalog:observation", args=[o.pk]),
        )
        for o in returned_observations
    ] + [
        Line(
            _("任务进展报告：%(task)s · %(period)s")
            % {"task": r.task.name, "period": period_label(r.period)},
            reverse("tasks:report_edit", args=[r.pk]),
        )
        for r in returned_reports
    ]
    returned = Section(
        "returned",
        _("被退回待修改"),
        len(returned_rows),
        f"{reverse('catalog:observations')}?status={Status.RETURNED}",
        _lines(returned_rows),
        _("没有被退回的数据或报告。"),
    )
    overdue = Section(
        "overdue",
        _("逾期未报"),
        len(late),
        reverse("quality:overdue"),
        _lines([_overdue_line(e, today) for e in late]),
        _("没有逾期未报的事项。"),
    )
    plan = _plan()
    note = ""
    if plan is not None and today.year > plan.target_year:
        note = _(
            "规划期（%(start)s–%(end)s 年）已结束：只需补报规划期内的数据和报告，"
            "没有 %(year)s 年的报送期。"
        ) % {"start": plan.base_year + 1, "end": plan.target_year, "year": today.year}
    return ToDo(str(scope.role), (to_file, returned, overdue), note=note)


# --- enterprise user ----------------------------------------------------------------------


def enterprise_user(scope: Scope, user: Any, today: date) -> ToDo:
    plan = _plan()
    enterprises = list(scope.enterprises(Enterprise.objects.all()).order_by("name"))
    year = today.year - 1 if plan is None else min(today.year - 1, plan.target_year)
    reports = {
        r.enterprise_id: r
        for r in EnergyReport.objects.filter(enterprise__in=enterprises, year=year)
    }
    entries = {
        e.enterprise.pk: e
        for e in reminders.responsible_for(scope, reminders.expected_items(today))
        if e.enterprise is not None and e.kind is core_schedule.DueKind.ENTERPRISE_ANNUAL_REPORT
    }
    rows = []
    to_act = 0
    for enterprise in enterprises:
        report = reports.get(enterprise.pk)
        edit = reverse("enterprises:report_edit", args=[enterprise.credit_code, year])
        if report is None or report.status == Status.DRAFT:
            to_act += 1
            entry = entries.get(enterprise.pk)
            late = core_schedule.days_overdue(entry.item, today) if entry else 0
            state = _("未报送") if report is None else _("草稿未提交")
            note = _("已逾期 %(days)s 天") % {"days": late} if late else ""
            rows.append(Line(f"{enterprise.name} · {year} · {state}", edit, note))
        elif report.status == Status.RETURNED:
            to_act += 1
            state = _("已退回，请修改后重新提交")
            rows.append(Line(f"{enterprise.name} · {year} · {state}", edit))
        else:
            view = reverse("enterprises:report", args=[enterprise.credit_code, year])
            rows.append(Line(f"{enterprise.name} · {year} · {report.get_status_display()}", view))
    report_section = Section(
        "report",
        _("%(year)s 年能源利用状况报告") % {"year": year},
        to_act,
        reverse("enterprises:list"),
        _lines(rows),
        _("没有需要报送的报告。"),
    )
    findings = visible_findings(scope, Finding.objects.filter(status=FindingStatus.OPEN))
    gaps = findings.filter(record_kind=METER_GAP_KIND).select_related("enterprise")
    quality_url = (
        reverse("quality:enterprise", args=[enterprises[0].credit_code])
        if enterprises
        else reverse("quality:findings")
    )
    meter_gaps = Section(
        "meter_gaps",
        _("计量表缺数"),
        gaps.count(),
        quality_url,
        _lines([Line(f.label, quality_url, f.message) for f in gaps.order_by("-period")]),
        _("在线计量数据完整。"),
    )
    alarms = _alarm_section(scope, _("本单位监测点报警"))
    rectify = findings.exclude(record_kind=METER_GAP_KIND)
    rectification = Section(
        "rectify",
        _("整改要求"),
        rectify.count(),
        quality_url,
        _lines([Line(f.label, quality_url, f.message) for f in rectify.order_by("-found_at")]),
        _("没有待整改的问题。"),
    )
    return ToDo(Role.ENTERPRISE, (report_section, meter_gaps, alarms, rectification))


# --- leader -------------------------------------------------------------------------------


def leader(scope: Scope, user: Any, today: date) -> ToDo:
    plan = _plan()
    if plan is None:
        return ToDo(Role.LEADER, ())
    late = reminders.overdue_items(today, reminders.expected_items(today))
    late_by_area: dict[int, int] = defaultdict(int)
    late_by_department: dict[str, int] = defaultdict(int)
    for entry in late:
        if entry.departments and not entry.by_city:
            for department in entry.departments:
                late_by_department[department.name] += 1
        elif entry.area is not None and not entry.area.is_city and not entry.by_city:
            late_by_area[entry.area.pk] += 1
    year, quarter = task_services.default_period(plan, today)
    league = task_services.league(plan, year, quarter, today)
    period = f"{year}Q{quarter}"
    areas = {a.name: a for a in Area.objects.exclude(kind=Area.Kind.CITY)}
    rows: list[tuple[tuple[int, int, int, str], str, str, str, bool, str]] = []
    for kind, league_rows in ((_("县区"), league.districts), (_("部门"), league.departments)):
        for row in league_rows:
            area = areas.get(row.unit) if kind == _("县区") else None
            overdue_items = (
                late_by_area.get(area.pk, 0) if area is not None else late_by_department[row.unit]
            )
            reason = _reason(row, overdue_items, period_label(period))
            needs = bool(row.overdue or overdue_items or row.outstanding)
            url = (
                f"{reverse('tasks:league')}?{urlencode({'year': year, 'quarter': quarter})}"
                if area is None
                else reverse("quality:district", args=[area.code])
            )
            key = (-row.overdue, -overdue_items, -row.outstanding, row.unit)
            rows.append((key, kind, row.unit, reason, needs, url))
    ranked = []
    for kind in (_("县区"), _("部门")):
        own = sorted((r for r in rows if r[1] == kind), key=lambda r: r[0])
        ranked += [
            Ranked(rank, kind, unit, reason, needs, url)
            for rank, (_key, _kind, unit, reason, needs, url) in enumerate(own, start=1)
        ]
    return ToDo(Role.LEADER, (), tuple(ranked), extra={"period": period_label(period)})


def _reason(row: Any, overdue_items: int, period: str) -> str:
    """One line on why a unit stands where it does (``row``: its task league row)."""
    parts = []
    if row.overdue:
        parts.append(_("逾期任务 %(n)s 项") % {"n": row.overdue})
    if overdue_items:
        parts.append(_("逾期未报数据或报告 %(n)s 项") % {"n": overdue_items})
    if row.outstanding:
        parts.append(
            _("%(period)s 未报任务进展 %(n)s 份") % {"period": period, "n": row.outstanding}
        )
    if not parts:
        return _("无逾期事项，任务完成 %(done)s/%(tasks)s 项") % {
            "done": row.done,
            "tasks": row.tasks,
        }
    return "；".join(parts)


# --- entry points -------------------------------------------------------------------------

BUILDERS = {
    Role.CITY_ADMIN: city_admin,
    Role.DEPARTMENT: unit_user,
    Role.DISTRICT: unit_user,
    Role.ENTERPRISE: enterprise_user,
    Role.LEADER: leader,
}


def for_scope(scope: Scope, user: Any, today: date | None = None) -> ToDo | None:
    """The to-do of a user with ``scope``; None for a user without a role."""
    builder = BUILDERS.get(scope.role)  # type: ignore[call-overload]
    if builder is None:
        return None
    return builder(scope, user, today or timezone.localdate())


def _cache_key(user: Any, today: date) -> str:
    return f"ecer:todo:{user.pk}:{today.isoformat()}"


def fresh_for_request(request: HttpRequest) -> ToDo | None:
    """Computed now (the home page); the navigation of this and the next pages reads it."""
    today = timezone.localdate()
    todo = for_scope(request.scope, request.user, today)  # type: ignore[attr-defined]
    request._ecer_todo_counts = todo.counts() if todo else None  # type: ignore[attr-defined]
    cache.set(_cache_key(request.user, today), request._ecer_todo_counts, NAV_CACHE_SECONDS)  # type: ignore[attr-defined]
    return todo


def counts_for_request(request: HttpRequest) -> dict[str, int] | None:
    """The navigation's counts: this request's to-do when it computed one, else the user's
    counts of the last minute, else computed now."""
    if hasattr(request, "_ecer_todo_counts"):
        return request._ecer_todo_counts  # type: ignore[no-any-return]
    today = timezone.localdate()
    key = _cache_key(request.user, today)
    counts = cache.get(key)
    if counts is None:
        todo = for_scope(request.scope, request.user, today)  # type: ignore[attr-defined]
        counts = todo.counts() if todo else {}
        cache.set(key, counts, NAV_CACHE_SECONDS)
    request._ecer_todo_counts = counts  # type: ignore[attr-defined]
    return counts or None
