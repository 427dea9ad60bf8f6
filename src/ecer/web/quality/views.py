"""Pages of data quality: findings city-wide (filters, Excel), the rule-set editor, the
on-demand run, overdue submissions, notifications, and a data-quality page per district and
per enterprise. Figures come from ``services``, ``reminders`` and ``ecer.core``."""

from __future__ import annotations

from typing import Any
from urllib.parse import urlencode

from django.contrib import messages
from django.db.models import QuerySet
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _lazy
from django.views.decorators.http import require_POST

from ecer.core import schedule as core_schedule
from ecer.web.accounts.decorators import city_admin_required, scoped
from ecer.web.catalog.models import Area
from ecer.web.enterprises.models import Enterprise
from ecer.web.enterprises.scope import can_view_enterprise, visible_enterprises
from ecer.web.listing import Column, Listing
from ecer.web.quality import reminders, services
from ecer.web.quality.exports import findings_workbook
from ecer.web.quality.forms import RuleSetEditor, applies_to_label, describe
from ecer.web.quality.models import (
    RECORD_KIND_CHOICES,
    SEVERITY_CHOICES,
    Finding,
    FindingStatus,
    Override,
    RuleSetVersion,
)
from ecer.web.sheets import XLSX


def _filtered(request: HttpRequest) -> tuple[QuerySet[Finding], dict[str, str]]:
    scope = request.scope  # type: ignore[attr-defined]
    queryset = services.visible_findings(
        scope, Finding.objects.select_related("area", "enterprise", "rule_set")
    )
    filters = {
        name: request.GET.get(name, "").strip()
        for name in ("kind", "severity", "status", "area", "enterprise")
    }
    if "status" not in request.GET:
        filters["status"] = FindingStatus.OPEN
    if filters["kind"]:
        queryset = queryset.filter(record_kind=filters["kind"])
    if filters["severity"]:
        queryset = queryset.filter(severity=filters["severity"])
    if filters["status"]:
        queryset = queryset.filter(status=filters["status"])
    if filters["area"]:
        queryset = queryset.filter(area__code=filters["area"])
    if filters["enterprise"]:
        queryset = queryset.filter(enterprise__credit_code=filters["enterprise"])
    return queryset, filters


FINDINGS = Listing(
    name="data-quality",
    title=_lazy("数据质量问题"),
    columns=(
        Column("found", _lazy("发现时间"), lambda f: f.found_at, ("found_at",)),
        Column(
            "record",
            _lazy("数据"),
            lambda f: f"{f.get_record_kind_display()}：{f.label}",
            ("record_kind", "label"),
        ),
        Column(
            "area",
            _lazy("地区"),
            lambda f: f.area.name if f.area else None,
            ("area__sort_order", "area__code"),
        ),
        Column(
            "enterprise",
            _lazy("用能单位"),
            lambda f: f.enterprise.name if f.enterprise else None,
            ("enterprise__name",),
        ),
        Column("severity", _lazy("级别"), lambda f: str(f.get_severity_display()), ("severity",)),
        Column("rule", _lazy("规则"), lambda f: f.rule_name, ("rule_code",)),
        Column("message", _lazy("说明"), lambda f: f.message, sortable=False),
        Column("status", _lazy("状态"), lambda f: str(f.get_status_display()), ("status",)),
    ),
    default_sort="-found",
    search_fields=("label", "message", "rule_code", "area__name", "enterprise__name"),
)


@scoped
def finding_list(request: HttpRequest) -> HttpResponse:
    scope = request.scope  # type: ignore[attr-defined]
    queryset, filters = _filtered(request)
    listing = FINDINGS.run(request, queryset)
    if listing.wants_export:
        return listing.xlsx()
    return render(
        request,
        "quality/finding_list.html",
        {
            "findings": listing.rows,
            "listing": listing,
            "page": listing.page,
            "filters": filters,
            "kinds": RECORD_KIND_CHOICES,
            "severities": SEVERITY_CHOICES,
            "statuses": FindingStatus.choices,
            "areas": scope.areas(Area.objects.all()),
            "enterprises": visible_enterprises(scope, Enterprise.objects.all()),
            # The rule codes' export (for machines) of the same filters.
            "query": urlencode(filters),
        },
    )


@scoped
def finding_export(request: HttpRequest) -> HttpResponse:
    queryset, _filters = _filtered(request)
    response = HttpResponse(findings_workbook(queryset[:20_000]), content_type=XLSX)
    response["Content-Disposition"] = 'attachment; filename="ecer-data-quality.xlsx"'
    return response


@require_POST
@city_admin_required
def run_now(request: HttpRequest) -> HttpResponse:
    messages.success(request, str(services.run_all()))
    return redirect("quality:findings")


def _versions(current: RuleSetVersion) -> Any:
    return RuleSetVersion.objects.filter(name=current.name).select_related("created_by")


@city_admin_required
def rule_set(request: HttpRequest) -> HttpResponse:
    """The rules on forms. "预览" counts the findings each rule raises over what the nightly
    run checks, under the rules in force and under the edited ones; "保存为新版本" stores the
    edited rules as the next version. Nothing is stored while any field is wrong."""
    current = services.active_rule_set()
    posted = request.method == "POST"
    base = current
    if posted:
        try:
            number = int(request.POST.get("base", ""))
        except ValueError:
            number = current.version
        base = RuleSetVersion.objects.filter(name=current.name, version=number).first() or current
    editor = RuleSetEditor(
        request.POST if posted else None, rules=list(base.data["rules"]), base=base.version
    )
    effects: list[tuple[services.RuleEffect, str]] = []
    if posted and editor.is_valid(services.edited_rule_set):
        if base.version != current.version:
            editor.meta.add_error(
                None,
                _("规则集已被他人保存为%(v)s，请重新打开本页修改。") % {"v": current},
            )
        elif request.POST.get("action") == "save":
            note = editor.meta.cleaned_data["note"].strip()
            saved = services.save_rule_data(editor.edited, request.user, note=note)
            messages.success(request, _("已保存为新版本 %(v)s") % {"v": saved})
            return redirect("quality:rules")
        else:
            proposed = services.edited_rule_set(editor.edited)
            effects = [
                (e, applies_to_label(e.applies_to))
                for e in services.rule_effects(current.rule_set(), proposed)
            ]
    return render(
        request,
        "quality/rule_set.html",
        {
            "current": current,
            "editor": editor,
            "effects": effects,
            "previewed": posted and not editor.has_errors,
            "versions": _versions(current),
        },
    )


@city_admin_required
def rule_text(request: HttpRequest) -> HttpResponse:
    """The advanced editor: the rules as text, for what the form cannot change (a new rule,
    the fields and units a rule checks, its message). Saved as the next version too."""
    current = services.active_rule_set()
    text = current.text
    error = ""
    if request.method == "POST":
        text = request.POST.get("text", "")
        try:
            saved = services.save_rule_set(
                text, request.user, note=request.POST.get("note", "")[:200]
            )
        except services.RuleTextError as exc:
            error = str(exc)
        else:
            messages.success(request, _("已保存为新版本 %(v)s") % {"v": saved})
            return redirect("quality:rules")
    return render(
        request, "quality/rule_text.html", {"current": current, "text": text, "error": error}
    )


@city_admin_required
def rule_set_version(request: HttpRequest, version: int) -> HttpResponse:
    current = services.active_rule_set()
    shown = get_object_or_404(RuleSetVersion, name=current.name, version=version)
    rows = [describe(rule) for rule in shown.data.get("rules", [])]
    return render(request, "quality/rule_set_version.html", {"shown": shown, "rows": rows})


def _overdue_rows(entries: list[reminders.Expected], today: Any) -> list[dict[str, Any]]:
    return [
        {"entry": e, "days": core_schedule.days_overdue(e.item, today)}
        for e in reminders.overdue_items(today, entries)
    ]


@scoped
def overdue(request: HttpRequest) -> HttpResponse:
    today = timezone.localdate()
    entries = reminders.visible_items(
        request.scope,  # type: ignore[attr-defined]
        reminders.expected_items(today),
    )
    return render(
        request,
        "quality/overdue.html",
        {"rows": _overdue_rows(entries, today), "today": today, "params": reminders.params()},
    )


@scoped
def notifications(request: HttpRequest) -> HttpResponse:
    """Moved to the notification centre (ecer.web.notifications)."""
    return redirect("notifications:centre")


def _page(
    request: HttpRequest,
    title: str,
    findings: QuerySet[Finding],
    entries: list[reminders.Expected],
    extra: dict[str, Any],
) -> HttpResponse:
    today = timezone.localdate()
    scope = request.scope  # type: ignore[attr-defined]
    findings = services.visible_findings(scope, findings.select_related("rule_set"))
    due = [e.item for e in entries]
    return render(
        request,
        "quality/unit_page.html",
        {
            "title": title,
            "open_findings": findings.filter(status=FindingStatus.OPEN),
            "history": findings.exclude(status=FindingStatus.OPEN)[:100],
            "overdue_rows": _overdue_rows(entries, today),
            "submitted_share": core_schedule.submitted_share_pct(due, today),
            "due_count": sum(1 for item in due if item.due <= today),
            **extra,
        },
    )


@scoped
def district_page(request: HttpRequest, area_code: str) -> HttpResponse:
    area = get_object_or_404(Area, code=area_code)
    if not request.scope.can_view_area(area):  # type: ignore[attr-defined]
        raise Http404("area outside the user's scope")
    today = timezone.localdate()
    entries = [
        e
        for e in reminders.visible_items(request.scope, reminders.expected_items(today))  # type: ignore[attr-defined]
        if e.area is not None and e.area.pk == area.pk
    ]
    overrides = Override.objects.filter(
        pk__in=Finding.objects.filter(area=area).values("override")
    ).select_related("approved_by")
    return _page(
        request,
        _("%(area)s 数据质量") % {"area": area.name},
        Finding.objects.filter(area=area),
        entries,
        {"area": area, "overrides": overrides},
    )


@scoped
def enterprise_page(request: HttpRequest, code: str) -> HttpResponse:
    enterprise = get_object_or_404(Enterprise.objects.select_related("area"), credit_code=code)
    if not can_view_enterprise(request.scope, enterprise):  # type: ignore[attr-defined]
        raise Http404("enterprise outside the user's scope")
    today = timezone.localdate()
    entries = [
        e
        for e in reminders.expected_items(today)
        if e.enterprise is not None and e.enterprise.pk == enterprise.pk
    ]
    overrides = Override.objects.filter(
        pk__in=Finding.objects.filter(enterprise=enterprise).values("override")
    ).select_related("approved_by")
    online = Finding.objects.filter(
        enterprise=enterprise, record_kind="online_energy_series", rule_code="ONL-COMPLETENESS"
    ).order_by("-period")[:12]
    return _page(
        request,
        _("%(name)s 数据质量") % {"name": enterprise.name},
        Finding.objects.filter(enterprise=enterprise),
        entries,
        {"enterprise": enterprise, "overrides": overrides, "online_completeness": online},
    )
