"""The reports page: the year's district assessment (scores, grades, reasons, exemptions),
report generation with progress, downloads, and the scheme editor.

Scope: city administrators, leaders and departments see the whole table and generate the
city's reports; a district user sees its own district's assessment; enterprise users nothing.
The scheme is edited by city administrators only; each save is a new version.
"""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from ecer.core import assessment as core
from ecer.web.accounts.decorators import city_admin_required, scoped
from ecer.web.audit.version import data_version
from ecer.web.catalog.models import Area, Plan
from ecer.web.catalog.observations_io import active_plan
from ecer.web.indicators.years import requested_year
from ecer.web.reports import documents, jobs, services
from ecer.web.reports.forms import SchemeEditor
from ecer.web.reports.models import ReportJob, SchemeVersion
from ecer.web.sheets import XLSX

CONTENT_TYPES = {
    "pdf": "application/pdf",
    "xlsx": XLSX,
}


def _plan_or_404() -> Plan:
    try:
        return active_plan()
    except LookupError:
        raise Http404("no plan loaded") from None


def _year(
    request: HttpRequest, plan: Plan, area: Area, source: dict[str, str] | None = None
) -> int:
    # Not before the first assessed year: the base year has no decline to assess nor a budget
    # for the total (plan 四(一)), so the assessment cannot run on it.
    raw = (source if source is not None else request.GET).get("year")
    return requested_year(raw, plan, area, first=plan.base_year + 1)


def _city() -> Area:
    return get_object_or_404(Area, kind=Area.Kind.CITY)


def _city_reader(request: HttpRequest) -> None:
    if not request.scope.sees_all_areas:  # type: ignore[attr-defined]
        raise PermissionDenied("city reports: city administrators, leaders and departments")


@scoped
def index(request: HttpRequest) -> HttpResponse:
    scope = request.scope  # type: ignore[attr-defined]
    if not (scope.sees_all_areas or scope.role == "district"):
        raise PermissionDenied("no area in scope")
    plan = _plan_or_404()
    shown = _city() if scope.sees_all_areas else get_object_or_404(Area, pk=scope.area_id)
    year = _year(request, plan, shown)
    version = services.current_scheme_version()
    if scope.sees_all_areas:
        doc = documents.annual(plan, year)
        assessments = list(doc.assessments)
        summary: core.Summary | None = doc.summary
        stamp, demo = doc.data_version, doc.uses_demo_data
    else:
        stamp = data_version()
        assessments = services.assess_year(year, plan, version.scheme(), [shown])
        summary = None
        demo = any(a.control.uses_demo_data for a in assessments)
    recent = ReportJob.objects.order_by("-created_at")[:10] if scope.sees_all_areas else []
    return render(
        request,
        "reports/index.html",
        {
            "plan": plan,
            "year": year,
            "years": list(range(plan.base_year + 1, plan.target_year + 1)),
            "scheme": version,
            "indicators": version.scheme().indicators,
            "assessments": assessments,
            "summary": summary,
            "data_version": stamp,
            "uses_demo_data": demo,
            "kinds": ReportJob.Kind.choices,
            "jobs": recent,
        },
    )


@scoped
@require_POST
def generate(request: HttpRequest) -> HttpResponse:
    _city_reader(request)
    plan = _plan_or_404()
    kind = request.POST.get("kind", "")
    if kind not in ReportJob.Kind.values:
        raise Http404("unknown report")
    year = _year(request, plan, _city(), request.POST)  # type: ignore[arg-type]
    job = ReportJob.objects.create(kind=kind, year=year, created_by=request.user)
    jobs.start(job)
    if request.headers.get("Accept") == "application/json":
        job.refresh_from_db()
        return JsonResponse(job.as_json())
    return redirect(f"{request.path.rsplit('generate/', 1)[0]}?year={year}&job={job.pk}")


@scoped
def job_status(request: HttpRequest, job_id: int) -> HttpResponse:
    _city_reader(request)
    job = get_object_or_404(ReportJob.objects.defer("content"), pk=job_id)
    return JsonResponse(job.as_json())


@scoped
def download(request: HttpRequest, job_id: int) -> HttpResponse:
    _city_reader(request)
    job = get_object_or_404(ReportJob, pk=job_id, status=ReportJob.Status.DONE)
    ext = "pdf" if job.is_pdf else "xlsx"
    response = HttpResponse(bytes(job.content or b""), content_type=CONTENT_TYPES[ext])
    response["Content-Disposition"] = f'attachment; filename="{job.filename}"'
    return response


def _preview_years(plan: Plan | None) -> list[int]:
    return [] if plan is None else list(range(plan.base_year + 1, plan.target_year + 1))


@city_admin_required
def scheme(request: HttpRequest) -> HttpResponse:
    """The scheme on forms. "预览" scores every district under the scheme in force and under
    the one on the form (the reports page's assessment, computed once); "保存为新版本" stores
    it as the next version. Nothing is stored while any field is wrong."""
    current = services.current_scheme_version()
    try:
        plan: Plan | None = active_plan()
    except LookupError:
        plan = None
    years = _preview_years(plan)
    year = _year(request, plan, _city()) if plan is not None and years else None
    editor = SchemeEditor(
        request.POST if request.method == "POST" else None,
        scheme=current.scheme(),
        base=current.number,
        years=years,
        year=year,
    )
    comparison: list[services.SchemeComparison] = []
    if request.method == "POST" and editor.is_valid():
        assert editor.scheme is not None
        if editor.form.cleaned_data["base"] != current.number:
            editor.form.add_error(
                None,
                _("考核方案已被他人保存为第 %(n)s 版，请在其基础上重新修改。")
                % {"n": current.number},
            )
        elif request.POST.get("action") == "save":
            note = editor.form.cleaned_data["note"].strip()
            try:
                version = services.save_scheme(editor.data, note, request.user)
            except core.SchemeError as exc:
                editor.add_error(exc)
            else:
                messages.success(request, _("已保存为考核方案第 %(n)s 版") % {"n": version.number})
                return redirect("reports:scheme")
        elif plan is not None:
            year = editor.form.cleaned_data["year"]
            comparison = services.compare_schemes(year, plan, current.scheme(), editor.scheme)
    return render(
        request,
        "reports/scheme.html",
        {
            "current": current,
            "editor": editor,
            "comparison": comparison,
            "preview_year": year,
            "previewed": request.method == "POST" and not editor.has_errors,
            "versions": SchemeVersion.objects.select_related("created_by")[:20],
        },
    )
