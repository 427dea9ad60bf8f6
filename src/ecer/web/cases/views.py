"""The case list (filter by state and overdue), a case with its steps and the moves the user
may make, evidence downloads, and the monthly statistics per district and enterprise."""

from __future__ import annotations

from datetime import date
from pathlib import Path

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from ecer.core import cases as core
from ecer.web.accounts.decorators import scoped
from ecer.web.cases import services
from ecer.web.cases.forms import FilterForm, MoveForm
from ecer.web.cases.models import Case, State, Step
from ecer.web.listing import Column, Listing
from ecer.web.uploads.download import attachment
from ecer.web.uploads.evidence import EvidenceRefused, check_evidence
from ecer.web.uploads.registry import import_endpoint

ACTION_LABELS = {
    core.CaseAction.VERIFY: gettext_lazy("核实"),
    core.CaseAction.RECTIFY: gettext_lazy("提交整改"),
    core.CaseAction.FEED_BACK: gettext_lazy("反馈"),
    core.CaseAction.CLOSE: gettext_lazy("销号"),
    core.CaseAction.SEND_BACK: gettext_lazy("退回重新整改"),
}


def _can_see(request: HttpRequest) -> None:
    scope = request.scope  # type: ignore[attr-defined]
    if not (scope.can_view_monitoring or scope.role == "department"):
        raise PermissionDenied("no cases for this role")


def _case(request: HttpRequest, pk: int) -> Case:
    _can_see(request)
    case = services.visible_cases(request.scope).filter(pk=pk).first()  # type: ignore[attr-defined]
    if case is None:
        raise Http404("case outside the user's scope")
    return case


def _assignee(case: Case) -> str:
    return f"{case.get_assignee_display()}：{case.assignee_label or '—'}"


CASES = Listing(
    name="cases",
    title=gettext_lazy("闭环处置事项"),
    columns=(
        Column("title", gettext_lazy("事项"), lambda c: c.title, ("title",)),
        Column("source", gettext_lazy("来源"), lambda c: str(c.get_source_display()), ("source",)),
        Column(
            "assignee",
            gettext_lazy("承办方"),
            _assignee,
            ("assignee", "enterprise_name", "department__name", "area__name"),
        ),
        Column("state", gettext_lazy("状态"), lambda c: str(c.get_state_display()), ("state",)),
        Column("due", gettext_lazy("当前环节时限"), lambda c: c.step_due_at, ("step_due_at",)),
        Column("opened", gettext_lazy("派发时间"), lambda c: c.opened_at, ("opened_at",)),
    ),
    default_sort="-opened",
    search_fields=("title", "detail", "enterprise_name", "point__mn", "area__name"),
)


@scoped
def case_list(request: HttpRequest) -> HttpResponse:
    _can_see(request)
    now = timezone.now()
    form = FilterForm(request.GET or None)
    cases = services.visible_cases(request.scope)  # type: ignore[attr-defined]
    if form.is_valid():
        state = form.cleaned_data["state"]
        if state == "open":
            cases = cases.exclude(state=State.CLOSED)
        elif state:
            cases = cases.filter(state=state)
        if form.cleaned_data["overdue"]:
            cases = cases.exclude(state=State.CLOSED).filter(step_due_at__lt=now)
    elif request.GET:
        raise Http404("bad filter")
    listing = CASES.run(request, cases)
    if listing.wants_export:
        return listing.xlsx()
    rows = [{"case": c, "overdue": services.is_overdue(c, now)} for c in listing.rows]
    return render(
        request,
        "cases/list.html",
        {"form": form, "rows": rows, "listing": listing, "page": listing.page},
    )


@scoped
def case_detail(request: HttpRequest, pk: int) -> HttpResponse:
    case = _case(request, pk)
    scope = request.scope  # type: ignore[attr-defined]
    actor = services.actor_of(scope, case)
    moves = core.moves_from(core.CaseState(case.state), actor) if actor is not None else []
    forms = [
        {
            "move": m,
            "label": ACTION_LABELS[m.action],
            "form": MoveForm(initial={"action": m.action.value}),
        }
        for m in moves
    ]
    return render(
        request,
        "cases/detail.html",
        {
            "case": case,
            "steps": services.steps_of(case),
            "forms": forms,
            "overdue": services.is_overdue(case, timezone.now()),
        },
    )


@import_endpoint("file", field="evidence")
@require_POST
@scoped
def case_move(request: HttpRequest, pk: int) -> HttpResponse:
    case = _case(request, pk)
    if services.actor_of(request.scope, case) is None:  # type: ignore[attr-defined]
        raise PermissionDenied("neither the assignee nor the city")
    form = MoveForm(request.POST, request.FILES)
    if not form.is_valid():
        messages.error(request, " ".join(e for errors in form.errors.values() for e in errors))
        return redirect("cases:detail", pk=pk)
    evidence = None
    upload = form.cleaned_data.get("evidence")
    if upload is not None:
        try:
            content, digest = check_evidence(upload)
        except EvidenceRefused as exc:
            messages.error(request, str(exc))
            return redirect("cases:detail", pk=pk)
        evidence = services.Evidence(Path(upload.name).name, content, digest)
    try:
        services.advance(
            case,
            form.cleaned_data["action"],
            request.user,
            request.scope,  # type: ignore[attr-defined]
            note=form.cleaned_data["note"],
            evidence=evidence,
        )
    except services.CaseMoveError as exc:
        messages.error(request, str(exc))
    else:
        messages.success(request, _("已记录"))
    return redirect("cases:detail", pk=pk)


@scoped
def evidence_file(request: HttpRequest, pk: int, step_pk: int) -> HttpResponse:
    case = _case(request, pk)
    step = get_object_or_404(Step, case=case, pk=step_pk)
    return attachment(step.evidence)


@scoped
def stats(request: HttpRequest) -> HttpResponse:
    _can_see(request)
    today = timezone.localdate()
    try:
        year = int(request.GET.get("year", today.year))
        month = int(request.GET.get("month", today.month))
        date(year, month, 1)  # a month of the calendar, else 404
    except (ValueError, OverflowError):
        raise Http404("bad month") from None
    scope = request.scope  # type: ignore[attr-defined]
    return render(
        request,
        "cases/stats.html",
        {
            "year": year,
            "month": month,
            "months": range(1, 13),
            "by_area": services.monthly(scope, year, month, "area"),
            "by_enterprise": services.monthly(scope, year, month, "enterprise"),
        },
    )
