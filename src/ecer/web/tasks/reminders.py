"""Task reports and milestones as expected submissions of the reminder machinery
(``ecer.web.quality.reminders``): a report overdue or a milestone missed escalates from the
responsible unit's users to its head and then to the city, like every other due date.

* quarterly progress report: each task not done, each lead department (and, for the tasks of 三
  naming the county governments, each district), each quarter; due like the districts' quarterly
  figures (``ECER_DUE_QUARTERLY_DAYS`` after the quarter);
* milestone: each milestone of each task (the plan's due year and those the city sets), due on
  its date, "submitted" the day an accepted report reaches it; responsible: the lead departments.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from typing import TYPE_CHECKING
from urllib.parse import urlencode

from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from ecer.core import schedule as core_schedule
from ecer.core import tasks as core
from ecer.web.catalog.labels import period_label
from ecer.web.catalog.models import Area, Department, Plan, Task
from ecer.web.tasks import services
from ecer.web.tasks.models import ProgressReport

if TYPE_CHECKING:
    from ecer.web.quality.reminders import Expected


def expected_items(
    plan: Plan,
    params: core_schedule.ScheduleParams,
    keep: Callable[[date], bool],
    today: date,
) -> list[Expected]:
    from ecer.web.quality.reminders import Expected

    items: list[Expected] = []
    districts = list(Area.objects.exclude(kind=Area.Kind.CITY))
    shared = set(services.district_tasks(plan.tasks.all()).values_list("pk", flat=True))
    years = range(plan.base_year + 1, min(plan.target_year, today.year) + 1)
    for task in services.tasks_with_reports(plan):
        url = reverse("tasks:detail", args=[task.code])
        leads = tuple(task.lead_departments.all())
        reports = list(task.reports.all())
        done = services.accepted(services.lead_reports(task))
        for number, milestone in enumerate(services.milestones(task)):
            if not keep(milestone.due):
                continue
            items.append(
                Expected(
                    core_schedule.ScheduleItem(
                        f"task-m:{task.code}:{milestone.due.isoformat()}:{number}",
                        milestone.due,
                        core.reached_on(milestone, done),
                    ),
                    core_schedule.DueKind.TASK_MILESTONE,
                    _("任务节点：%(task)s（%(percent)s%%）")
                    % {"task": task.name, "percent": f"{milestone.percent:g}"},
                    url,
                    departments=leads,
                )
            )
        for year in years:
            for quarter in range(1, 5):
                period = f"{year}Q{quarter}"
                due = core_schedule.due_date(
                    core_schedule.DueKind.TASK_REPORT_QUARTERLY, period, params
                )
                if not keep(due):
                    continue
                end = services.period_end(year, quarter)
                if services.task_status(task, end) is core.TaskStatus.DONE:
                    continue
                units: list[tuple[str, tuple[Department, ...], Area | None]] = [
                    (d.code, (d,), None) for d in leads
                ]
                if task.pk in shared:
                    units += [(a.code, (), a) for a in districts]
                for code, departments, area in units:
                    own = [
                        r
                        for r in reports
                        if (r.year, r.quarter) == (year, quarter)
                        and _same_unit(r, departments, area)
                    ]
                    submitted = [
                        timezone.localdate(r.submitted_at)
                        for r in own
                        if r.submitted_at is not None
                    ]
                    items.append(
                        Expected(
                            core_schedule.ScheduleItem(
                                f"task-q:{task.code}:{code}:{period}",
                                due,
                                min(submitted) if submitted else None,
                            ),
                            core_schedule.DueKind.TASK_REPORT_QUARTERLY,
                            _("%(period)s 任务进展报告：%(task)s")
                            % {"period": period_label(period), "task": task.name},
                            report_url(task, year, quarter, own[0] if own else None),
                            area=area,
                            departments=departments,
                        )
                    )
    return items


def report_url(task: Task, year: int, quarter: int, report: ProgressReport | None) -> str:
    """Where a report reminder leads: the unit's report of the period when there is one (a
    draft or a returned report is finished there), else the new-report form for the period."""
    if report is not None:
        name = "tasks:report_edit" if report.is_editable else "tasks:report"
        return reverse(name, args=[report.pk])
    query = urlencode({"year": year, "quarter": quarter})
    return f"{reverse('tasks:report_new', args=[task.code])}?{query}"


def _same_unit(
    report: ProgressReport, departments: tuple[Department, ...], area: Area | None
) -> bool:
    if area is not None:
        return report.area_id == area.pk
    return report.department_id == departments[0].pk
