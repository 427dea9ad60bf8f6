"""Pages of the key reduction projects: progress of the four targets, the project list and
page (ledger, verification findings, evidence), the project form, and the reviewer's
closures and decisions. The targets' figures are the indicator service's (``figures``);
the ledger and checks come from ``services`` and ``ecer.core.reductions``.

City administrators see and decide everything; leaders and departments see everything; a
district user sees and enters its own district's projects; enterprises see none.
"""

from __future__ import annotations

import json
from collections.abc import Iterable

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.db import IntegrityError, transaction
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _lazy
from django.views.decorators.http import require_POST

from ecer.core import reductions as core
from ecer.web.accounts.decorators import scoped
from ecer.web.catalog.models import Area, Plan
from ecer.web.catalog.observations_io import active_plan
from ecer.web.indicators.years import requested_year
from ecer.web.listing import Column, Listing
from ecer.web.reductions import figures, services
from ecer.web.reductions.forms import CloseForm, EvidenceForm, LineFormSet, ProjectForm
from ecer.web.reductions.models import Evidence, FindingClosure, ReductionProject
from ecer.web.uploads.download import attachment
from ecer.web.uploads.registry import import_endpoint


def _require_viewer(request: HttpRequest) -> None:
    scope = request.scope  # type: ignore[attr-defined]
    if not (scope.sees_all_areas or scope.role == "district"):
        raise PermissionDenied("reduction projects are for the city, departments and districts")


def _project(request: HttpRequest, pk: int) -> ReductionProject:
    _require_viewer(request)
    project = get_object_or_404(services.with_details(ReductionProject.objects.all()), pk=pk)
    if not request.scope.can_view_area(project.area):  # type: ignore[attr-defined]
        raise Http404("project outside the user's scope")
    return project


def _can_edit(request: HttpRequest, area: Area | None) -> bool:
    scope = request.scope  # type: ignore[attr-defined]
    if scope.is_city_admin:
        return True
    return scope.role == "district" and (area is None or area.pk == scope.area_id)


def _plan() -> Plan:
    try:
        return active_plan()
    except LookupError:
        raise Http404("no plan loaded") from None


def _city() -> Area:
    city = Area.objects.filter(kind=Area.Kind.CITY).first()
    if city is None:
        raise Http404("no city loaded")
    return city


def _year(request: HttpRequest, plan: Plan, city: Area) -> int:
    return requested_year(request.GET.get("year"), plan, city)


PROJECTS = Listing(
    name="reduction-projects",
    title=_lazy("减排项目"),
    columns=(
        Column("name", _lazy("项目"), lambda r: r[0].name),
        Column("area", _lazy("县区"), lambda r: r[0].area.name),
        Column("type", _lazy("类型"), lambda r: str(r[0].get_type_display())),
        Column("status", _lazy("状态"), lambda r: str(r[0].get_status_display())),
        Column("completed", _lazy("建成日期"), lambda r: r[0].completed_on),
        Column("open", _lazy("未关闭的核查问题"), lambda r: r[1], numeric=True),
    ),
    search_text=lambda r: f"{r[0].name} {r[0].area.name} {r[0].get_type_display()}",
)


@scoped
def overview(request: HttpRequest) -> HttpResponse:
    _require_viewer(request)
    scope = request.scope  # type: ignore[attr-defined]
    plan, city = _plan(), _city()
    year = _year(request, plan, city)
    preview = request.GET.get("preview") == "1"
    targets = figures.plan_targets(plan)
    # The four targets are the city's: the indicator service judges them on every project.
    shown = figures.official(plan, city, year, targets)
    everything = list(services.with_details(ReductionProject.objects.all()))
    if preview:
        shown = figures.with_preview(shown, everything, year)
    visible = [p for p in everything if scope.can_view_area(p.area)]
    starts = figures.base_years(targets)
    by_district = services.totals_in_effect(visible, year, starts, core.Dimension.DISTRICT)
    by_sector = services.totals_in_effect(visible, year, starts, core.Dimension.SECTOR)
    checked = services.check_all()
    filters = {k: request.GET.get(k, "") for k in ("area", "type", "status", "pollutant")}
    listed = [
        p
        for p in visible
        if (not filters["area"] or p.area.code == filters["area"])
        and (not filters["type"] or p.type == filters["type"])
        and (not filters["status"] or p.status == filters["status"])
        and (
            not filters["pollutant"]
            or any(ln.pollutant == filters["pollutant"] for ln in p.lines.all())
        )
    ]
    listing = PROJECTS.run(request, [(p, checked.open_count(p)) for p in listed])
    if listing.wants_export:
        return listing.xlsx()
    areas = {a.code: a for a in Area.objects.all()}
    first = next(iter(targets.values()), None)
    return render(
        request,
        "reductions/overview.html",
        {
            "plan": plan,
            "year": year,
            "years": list(range(plan.base_year, plan.target_year + 1)),
            "preview": preview,
            "figures": shown,
            "clause": first.section.clause if first else "",
            "target_year": first.target_year if first else plan.target_year,
            "chart_json": json.dumps(figures.chart(shown), ensure_ascii=False),
            "pollutants": list(core.Pollutant),
            "target_pollutants": list(targets),
            "by_district": _table(by_district, {k: a.name for k, a in areas.items()}, targets),
            "by_sector": _table(by_sector, {}, targets),
            "projects": listing.rows,
            "listing": listing,
            "page": listing.page,
            "areas": scope.areas(Area.objects.exclude(kind=Area.Kind.CITY)),
            "types": list(core.ProjectType),
            "statuses": list(core.ProjectStatus),
            "filters": filters,
            "can_add": _can_edit(request, None),
            "uses_demo_data": any(p.is_demo for p in visible)
            or any(f.indicator.uses_demo_data for f in shown),
        },
    )


def _table(
    sums: dict[tuple[str | int, ...], float],
    names: dict[str, str],
    pollutants: Iterable[core.Pollutant],
) -> list[tuple[str, list[float]]]:
    keys = sorted({str(k[0]) for k in sums})
    return [(names.get(k, k), [sums.get((k, p), 0.0) for p in pollutants]) for k in keys]


@scoped
def project_detail(request: HttpRequest, pk: int) -> HttpResponse:
    project = _project(request, pk)
    checked = services.check_all()
    plan = _plan()
    years = range(plan.base_year + 1, plan.target_year + 1)
    rows = services.ledger([project], years, plan.base_year, [project.status])
    return render(
        request,
        "reductions/project.html",
        {
            "project": project,
            "status": core.ProjectStatus(project.status),
            "type": core.ProjectType(project.type),
            "lines": project.lines.all(),
            "ledger": rows,
            "findings": checked.for_project(project),
            "decision": services.decision(project, checked),
            "closures": project.closures.select_related("closed_by"),
            "evidence_form": EvidenceForm(),
            "can_edit": _can_edit(request, project.area),
            "uses_demo_data": project.is_demo,
        },
    )


@scoped
def project_edit(request: HttpRequest, pk: int | None = None) -> HttpResponse:
    _require_viewer(request)
    scope = request.scope  # type: ignore[attr-defined]
    project = _project(request, pk) if pk is not None else ReductionProject()
    if not _can_edit(request, project.area if pk is not None else None):
        raise PermissionDenied("only the city and the project's district edit it")
    if project.status in (core.ProjectStatus.VERIFIED, core.ProjectStatus.REJECTED):
        messages.error(request, _("已核定或不予认定的项目不能修改"))
        return redirect("reductions:project", pk=project.pk)
    if request.method == "POST":
        form = ProjectForm(request.POST, instance=project, scope=scope)
        lines = LineFormSet(request.POST, instance=project, prefix="lines")
        if form.is_valid() and lines.is_valid():
            with transaction.atomic():
                saved = form.save()
                lines.instance = saved
                lines.save()
            messages.success(request, _("已保存"))
            return redirect("reductions:project", pk=saved.pk)
    else:
        form = ProjectForm(instance=project, scope=scope)
        lines = LineFormSet(instance=project, prefix="lines")
    return render(
        request, "reductions/project_form.html", {"project": project, "form": form, "lines": lines}
    )


@import_endpoint("file")
@require_POST
@scoped
def add_evidence(request: HttpRequest, pk: int) -> HttpResponse:
    project = _project(request, pk)
    if not _can_edit(request, project.area):
        raise PermissionDenied("only the city and the project's district add evidence")
    form = EvidenceForm(request.POST, request.FILES)
    if form.is_valid():
        Evidence.objects.create(
            project=project,
            title=form.cleaned_data["title"],
            file=form.cleaned_data["file"],
            uploaded_by=request.user,
        )
        messages.success(request, _("已上传佐证材料"))
    else:
        messages.error(request, " ".join(e for errors in form.errors.values() for e in errors))
    return redirect("reductions:project", pk=pk)


@scoped
def evidence_file(request: HttpRequest, pk: int, evidence_pk: int) -> HttpResponse:
    project = _project(request, pk)
    evidence = get_object_or_404(Evidence, project=project, pk=evidence_pk)
    return attachment(evidence.file)


@require_POST
@scoped
def close_finding(request: HttpRequest, pk: int) -> HttpResponse:
    project = _project(request, pk)
    if not request.scope.can_review:  # type: ignore[attr-defined]
        raise PermissionDenied("reviewers close findings")
    form = CloseForm(request.POST)
    keys = {f.key for f, _closed in services.check_all().for_project(project)}
    if not form.is_valid() or form.cleaned_data["finding_key"] not in keys:
        messages.error(request, _("关闭核查问题必须选择问题并说明理由"))
        return redirect("reductions:project", pk=pk)
    try:
        FindingClosure.objects.create(
            project=project,
            finding_key=form.cleaned_data["finding_key"],
            reason=form.cleaned_data["reason"],
            closed_by=request.user,
        )
        messages.success(request, _("已关闭核查问题"))
    except IntegrityError:
        messages.error(request, _("该问题已关闭"))
    return redirect("reductions:project", pk=pk)


@require_POST
@scoped
def decide(request: HttpRequest, pk: int) -> HttpResponse:
    """Mark a completed project verified (only without open findings) or rejected."""
    project = _project(request, pk)
    if not request.scope.can_review:  # type: ignore[attr-defined]
        raise PermissionDenied("reviewers decide on projects")
    if request.POST.get("decision") == "reject":
        reason = request.POST.get("reason", "").strip()
        if not reason:
            messages.error(request, _("不予认定必须说明理由"))
            return redirect("reductions:project", pk=pk)
        project.status = core.ProjectStatus.REJECTED
        project.note = (project.note + "\n" if project.note else "") + _("不予认定：") + reason
        project.save()
        messages.success(request, _("已不予认定"))
        return redirect("reductions:project", pk=pk)
    verdict = services.decision(project, services.check_all())
    if not verdict.allowed:
        reasons = [f.message_zh for f in verdict.blocking] + list(verdict.reasons_zh)
        messages.error(request, _("不能核定：") + "；".join(reasons))
        return redirect("reductions:project", pk=pk)
    project.status = core.ProjectStatus.VERIFIED
    project.save()
    messages.success(request, _("已核定，减排量计入目标"))
    return redirect("reductions:project", pk=pk)
