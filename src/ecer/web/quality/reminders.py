"""Due dates of the submissions the city expects, overdue items, and reminders that escalate
from the responsible user to the district or department head and then to the city
administrators (``ecer.core.schedule``), through each user's notification channels
(``ecer.web.notifications``: in-app, e-mail, group robots).

Expected submissions (the calendar comes from settings, ``ECER_DUE_*``):
* district quarterly figures: each target decomposed to districts, each district, each quarter;
  responsible: the district's users; head: the district's head;
* city annual target observations: each target not decomposed to districts, at city level;
  responsible: users of its lead departments (plan catalog); head: those departments' heads;
* enterprise annual energy reports: each enterprise; responsible: its enterprise users; head:
  the head of its district;
* district yearly energy and GDP data (entered by the city from the statistics bureau):
  responsible: the city administrators (the only ones who may enter them); head: the head of
  ``ECER_ENERGY_DATA_DEPARTMENT``;
* plan tasks' quarterly progress reports and milestones (``ecer.web.tasks.reminders``).
Only items due within ``ECER_SCHEDULE_LOOKBACK_DAYS`` before today are tracked, so a new
installation does not remind about the plan's early years; and only periods of the plan, which
the forms accept (``quarter_years``): after 2025 the 2021–2025 plan asks for its last figures
and for no 2026 period. Every reminder links to the form that clears it
(tests/web/quality/test_reminder_walk.py walks them all).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Any
from urllib.parse import urlencode

from django.conf import settings
from django.contrib.auth import get_user_model
from django.db import transaction
from django.db.models import Min
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from ecer.core import schedule as core_schedule
from ecer.web.accounts.models import Membership, Role
from ecer.web.catalog.labels import period_label
from ecer.web.catalog.models import Area, Department, Observation, Plan
from ecer.web.energy.models import DistrictEnergyYear
from ecer.web.enterprises.models import EnergyReport, Enterprise
from ecer.web.notifications.deadlines import two_high_disposal_near
from ecer.web.notifications.models import Channel, Kind
from ecer.web.notifications.outbox import Message, notify
from ecer.web.quality.models import ReminderSent, UnitHead


def _month_day(text: str) -> core_schedule.MonthDay:
    month, day = (int(part) for part in text.split("-"))
    return core_schedule.MonthDay(month, day)


def params() -> core_schedule.ScheduleParams:
    return core_schedule.ScheduleParams(
        quarterly_days_after=settings.ECER_DUE_QUARTERLY_DAYS,
        enterprise_annual_report=_month_day(settings.ECER_DUE_ENTERPRISE_REPORT),
        target_observation_annual=_month_day(settings.ECER_DUE_TARGET_OBSERVATION),
        district_energy_annual=_month_day(settings.ECER_DUE_DISTRICT_ENERGY),
    )


@dataclass(frozen=True)
class Expected:
    """One expected submission with who answers for it."""

    item: core_schedule.ScheduleItem
    kind: core_schedule.DueKind
    title: str
    url: str
    area: Area | None = None
    enterprise: Enterprise | None = None
    departments: tuple[Department, ...] = field(default_factory=tuple)
    # Entered by the city administrators themselves (the districts' yearly energy and GDP data:
    # ``energy:edit_year`` is theirs alone): they are the responsible users.
    by_city: bool = False

    @property
    def head_area(self) -> Area | None:
        return self.area if self.area is not None and not self.area.is_city else None


def _date(moment: Any) -> date | None:
    return None if moment is None else timezone.localdate(moment)


def _window(today: date) -> tuple[date, date]:
    return today - timedelta(days=settings.ECER_SCHEDULE_LOOKBACK_DAYS), today


def _years(plan: Plan, today: date) -> list[int]:
    """The plan's years whose annual figures can be due by ``today`` (reported the next year)."""
    return [y for y in range(plan.base_year + 1, plan.target_year + 1) if y < today.year]


def quarter_years(plan: Plan, today: date) -> list[int]:
    """The plan's years with quarters that can be due by ``today``: the plan period only
    (``plan.base_year`` + 1 .. ``plan.target_year``), never a year the plan and the forms
    refuse. A day after the plan period (e.g. 2026 for the 2021–2025 plan) asks for the plan's
    last figures (2025Q4, 2025 annual, due in 2026) and for no period of its own: a new period
    needs a new plan."""
    return [y for y in range(plan.base_year + 1, plan.target_year + 1) if y <= today.year]


def observation_url(target: Any, area: Area, year: int, quarter: int, existing: int | None) -> str:
    """Where a reminder about a figure leads: the figure itself when one exists (a draft or a
    returned figure is finished there), else the entry form filled with the period."""
    if existing is not None:
        return reverse("catalog:observation", args=[existing])
    query = urlencode({"target": target.code, "area": area.code, "year": year, "quarter": quarter})
    return f"{reverse('catalog:observation_new')}?{query}"


def expected_items(today: date, ahead_days: int = 0) -> list[Expected]:
    """Every submission due within the look-back window up to ``today`` (and, with
    ``ahead_days``, those falling due in the days after it: the to-do's "to file")."""
    plan = Plan.objects.order_by("-target_year", "code").first()
    if plan is None:
        return []
    p = params()
    start, end = _window(today)
    end += timedelta(days=ahead_days)
    last = end  # the periods that can be due by the window's end
    items: list[Expected] = []

    def keep(due: date) -> bool:
        return start <= due <= end

    submitted: dict[tuple[int, int, int, int], date | None] = {
        (o["target_id"], o["area_id"], o["year"], o["quarter"]): _date(o["submitted_at"])
        for o in Observation.objects.filter(submitted_at__isnull=False).values(
            "target_id", "area_id", "year", "quarter", "submitted_at"
        )
    }
    existing: dict[tuple[int, int, int, int], int] = {
        (o["target_id"], o["area_id"], o["year"], o["quarter"]): o["pk"]
        for o in Observation.objects.values("pk", "target_id", "area_id", "year", "quarter")
    }
    districts = list(Area.objects.exclude(kind=Area.Kind.CITY))
    targets = list(plan.targets.prefetch_related("lead_departments"))
    for target in targets:
        if target.applies_to_districts:
            for year in quarter_years(plan, last):
                for quarter in range(1, 5):
                    period = f"{year}Q{quarter}"
                    due = core_schedule.due_date(
                        core_schedule.DueKind.DISTRICT_QUARTERLY, period, p
                    )
                    if not keep(due):
                        continue
                    for area in districts:
                        key = f"obs-q:{target.code}:{area.code}:{period}"
                        items.append(
                            Expected(
                                core_schedule.ScheduleItem(
                                    key, due, submitted.get((target.pk, area.pk, year, quarter))
                                ),
                                core_schedule.DueKind.DISTRICT_QUARTERLY,
                                _("%(area)s %(period)s %(target)s")
                                % {
                                    "area": area.name,
                                    "period": period_label(period),
                                    "target": target.name,
                                },
                                observation_url(
                                    target,
                                    area,
                                    year,
                                    quarter,
                                    existing.get((target.pk, area.pk, year, quarter)),
                                ),
                                area=area,
                            )
                        )
        else:
            leads = tuple(target.lead_departments.all())
            city = plan.area
            for year in _years(plan, last):
                due = core_schedule.due_date(
                    core_schedule.DueKind.TARGET_OBSERVATION_ANNUAL, str(year), p
                )
                if not keep(due):
                    continue
                items.append(
                    Expected(
                        core_schedule.ScheduleItem(
                            f"obs-y:{target.code}:{year}",
                            due,
                            submitted.get((target.pk, city.pk, year, 0)),
                        ),
                        core_schedule.DueKind.TARGET_OBSERVATION_ANNUAL,
                        _("%(year)s 年 %(target)s（全市）") % {"year": year, "target": target.name},
                        observation_url(
                            target, city, year, 0, existing.get((target.pk, city.pk, year, 0))
                        ),
                        area=city,
                        departments=leads,
                    )
                )
    reports = {
        (r["enterprise_id"], r["year"]): _date(r["submitted_at"])
        for r in EnergyReport.objects.filter(submitted_at__isnull=False).values(
            "enterprise_id", "year", "submitted_at"
        )
    }
    for enterprise in Enterprise.objects.select_related("area"):
        for year in _years(plan, last):
            due = core_schedule.due_date(
                core_schedule.DueKind.ENTERPRISE_ANNUAL_REPORT, str(year), p
            )
            if not keep(due):
                continue
            items.append(
                Expected(
                    core_schedule.ScheduleItem(
                        f"ent:{enterprise.credit_code}:{year}",
                        due,
                        reports.get((enterprise.pk, year)),
                    ),
                    core_schedule.DueKind.ENTERPRISE_ANNUAL_REPORT,
                    _("%(name)s %(year)s 年能源利用状况报告")
                    % {"name": enterprise.name, "year": year},
                    reverse("enterprises:report_edit", args=[enterprise.credit_code, year]),
                    area=enterprise.area,
                    enterprise=enterprise,
                )
            )
    first_saved = {
        (r["area_id"], r["year"]): _date(r["first"])
        for r in DistrictEnergyYear.history.values("area_id", "year").annotate(  # type: ignore[attr-defined]
            first=Min("history_date")
        )
    }
    statistics = tuple(Department.objects.filter(code=settings.ECER_ENERGY_DATA_DEPARTMENT))
    for area in Area.objects.all():
        for year in _years(plan, last):
            due = core_schedule.due_date(core_schedule.DueKind.DISTRICT_ENERGY_ANNUAL, str(year), p)
            if not keep(due):
                continue
            items.append(
                Expected(
                    core_schedule.ScheduleItem(
                        f"energy:{area.code}:{year}", due, first_saved.get((area.pk, year))
                    ),
                    core_schedule.DueKind.DISTRICT_ENERGY_ANNUAL,
                    _("%(area)s %(year)s 年能耗与生产总值数据") % {"area": area.name, "year": year},
                    reverse("energy:edit_year", args=[area.code, year]),
                    area=area,
                    departments=statistics,
                    by_city=True,
                )
            )
    from ecer.web.tasks import reminders as task_reminders

    items += task_reminders.expected_items(plan, p, keep, last)
    return items


# --- recipients --------------------------------------------------------------------------


def responsible_users(expected: Expected) -> list[Any]:
    memberships = Membership.objects.none()
    if expected.by_city:
        return city_admins()
    if expected.enterprise is not None:
        memberships = Membership.objects.filter(
            role=Role.ENTERPRISE, enterprise_code=expected.enterprise.credit_code
        )
    elif expected.departments:
        memberships = Membership.objects.filter(
            role=Role.DEPARTMENT, department__in=expected.departments
        )
    elif expected.area is not None:
        memberships = Membership.objects.filter(role=Role.DISTRICT, area=expected.area)
    return [m.user for m in memberships.select_related("user") if m.user.is_active]


def unit_heads(expected: Expected) -> list[Any]:
    if expected.departments and expected.enterprise is None:
        heads = UnitHead.objects.filter(department__in=expected.departments)
    elif expected.head_area is not None:
        heads = UnitHead.objects.filter(area=expected.head_area)
    else:
        heads = UnitHead.objects.none()
    return [h.user for h in heads.select_related("user") if h.user.is_active]


def city_admins() -> list[Any]:
    users = get_user_model().objects.filter(is_active=True)
    admins = [m.user for m in Membership.objects.filter(role=Role.CITY_ADMIN, user__in=users)]
    admins += list(users.filter(is_superuser=True, membership__isnull=True))
    return admins


def recipients(expected: Expected, role: core_schedule.RecipientRole) -> list[Any]:
    if role is core_schedule.RecipientRole.RESPONSIBLE_USER:
        found = responsible_users(expected)
    elif role is core_schedule.RecipientRole.UNIT_HEAD:
        found = unit_heads(expected)
    else:
        found = city_admins()
    unique = {u.pk: u for u in found}
    return list(unique.values())


# --- sending -----------------------------------------------------------------------------


@dataclass
class RemindSummary:
    reminders: int = 0
    notifications: int = 0
    emails: int = 0

    def __str__(self) -> str:
        return _("报送提醒：%(r)s 条提醒，站内通知 %(n)s 条，邮件 %(e)s 封") % {
            "r": self.reminders,
            "n": self.notifications,
            "e": self.emails,
        }


def _text(expected: Expected, reminder: core_schedule.Reminder, today: date) -> tuple[str, str]:
    late = core_schedule.days_overdue(expected.item, today)
    title = _("报送提醒：%(title)s") % {"title": expected.title}
    if late:
        body = _("应于 %(due)s 前报送，已逾期 %(days)s 天（提醒对象：%(role)s）。") % {
            "due": expected.item.due.isoformat(),
            "days": late,
            "role": reminder.recipient_role.label_zh,
        }
    else:
        body = _("今天（%(due)s）是报送截止日（提醒对象：%(role)s）。") % {
            "due": expected.item.due.isoformat(),
            "role": reminder.recipient_role.label_zh,
        }
    return title, body


def _kind(expected: Expected, reminder: core_schedule.Reminder) -> str:
    """The notification kind: a milestone falling due, a submission due or late, or an
    escalation to the head or the city."""
    if reminder.level != core_schedule.ReminderLevel.DUE:
        return Kind.ESCALATED
    if expected.kind == core_schedule.DueKind.TASK_MILESTONE:
        return Kind.MILESTONE_DUE
    return Kind.OVERDUE


def remind(today: date | None = None) -> RemindSummary:
    """Send today's reminders; each level of each item is sent once, however often it runs."""
    today = today or timezone.localdate()
    summary = RemindSummary()
    expected = expected_items(today)
    sent: dict[str, set[int]] = {}
    for key, level in ReminderSent.objects.values_list("item_key", "level"):
        sent.setdefault(key, set()).add(level)
    for entry in expected:
        already = [core_schedule.ReminderLevel(level) for level in sent.get(entry.item.key, ())]
        for reminder in core_schedule.next_reminders(entry.item, already, today):
            summary.reminders += 1
            with transaction.atomic():
                _, created = ReminderSent.objects.get_or_create(
                    item_key=entry.item.key,
                    level=reminder.level,
                    defaults={"due": entry.item.due, "sent_on": today},
                )
                if not created:
                    continue  # another run got there first
                users = recipients(entry, reminder.recipient_role)
                title, body = _text(entry, reminder, today)
                counts = notify(users, Message(_kind(entry, reminder), title, body, entry.url))
                ReminderSent.objects.filter(item_key=entry.item.key, level=reminder.level).update(
                    recipients=len(users)
                )
                summary.notifications += counts.get(Channel.IN_APP, 0)
                summary.emails += counts.get(Channel.EMAIL, 0)
    summary.reminders += two_high_disposal_near(today)
    return summary


def overdue_items(today: date, items: Iterable[Expected] | None = None) -> list[Expected]:
    entries = list(items) if items is not None else expected_items(today)
    late = {i.key for i in core_schedule.overdue([e.item for e in entries], today)}
    chosen = [e for e in entries if e.item.key in late]
    return sorted(chosen, key=lambda e: (e.item.due, e.item.key))


def visible_items(scope: Any, items: Iterable[Expected]) -> list[Expected]:
    if scope.role in (Role.CITY_ADMIN, Role.LEADER):
        return list(items)
    if scope.role == Role.DEPARTMENT:
        return [e for e in items if any(d.pk == scope.department_id for d in e.departments)]
    if scope.role == Role.DISTRICT:
        return [e for e in items if e.area is not None and e.area.pk == scope.area_id]
    if scope.role == Role.ENTERPRISE:
        return [
            e
            for e in items
            if e.enterprise is not None and e.enterprise.credit_code == scope.enterprise_code
        ]
    return []


def responsible_for(scope: Any, items: Iterable[Expected]) -> list[Expected]:
    """The items a user with ``scope`` files themselves: those of its district, department or
    enterprise, except the figures the city enters (``by_city``), which are the city
    administrators' own, and an enterprise's report, which a district sees but does not file;
    a leader files nothing."""
    if scope.role == Role.CITY_ADMIN:
        return [e for e in items if e.by_city]
    if scope.role == Role.LEADER:
        return []
    return [
        e
        for e in visible_items(scope, items)
        if not e.by_city and (e.enterprise is None or scope.role == Role.ENTERPRISE)
    ]
