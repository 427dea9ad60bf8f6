"""Running the rules: which rule set is in force, storing findings, the approval check, and
the nightly run over submitted records and online streams.

Choices written down once:
* The rule set in force is the latest version of ``default``; before any is stored the
  built-in default is stored as version 1 (``ecer setup`` does it first).
* A record is checked again whenever it arrives (submission, import, save) and at approval,
  so an approval always judges the figures and rules of that moment.
* A finding stays one row per record, period and rule: checked again it is updated; no
  longer found it becomes ``resolved``; an ``overridden`` finding stays overridden.
* Approving a record with an open error or warning needs a justification; the approval then
  records who, when and why (``Override``) and marks those findings overridden. Info findings
  never need one.
"""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

import yaml
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Max, Min, Model, Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from ecer.core import quality as core_quality
from ecer.web.accounts.models import Role
from ecer.web.audit.models import Status
from ecer.web.catalog.models import Area, Observation, Plan, Target
from ecer.web.energy.models import DistrictEnergyYear
from ecer.web.enterprises.models import EnergyReport, Meter, MeterReading
from ecer.web.quality import adapters
from ecer.web.quality.defaults import BASE_YEAR_KIND, DEFAULT_NAME, as_text, default_rule_data
from ecer.web.quality.models import Finding, FindingStatus, Override, RuleSetVersion

CHECKED_MODELS = (Observation, DistrictEnergyYear, EnergyReport)
NEEDS_JUSTIFICATION = (core_quality.Severity.ERROR.value, core_quality.Severity.WARNING.value)
ONLINE_MONTHS = 12  # months of online data the nightly run checks per meter


# --- rule sets ---------------------------------------------------------------------------


class RuleTextError(ValueError):
    """Rule text that cannot be stored; the message says where (line or rule and field)."""


def parse_rule_text(text: str, name: str) -> dict[str, Any]:
    """YAML (JSON is YAML too) → validated rule-set data; ``name`` and ``version`` in the
    text are optional (the page stores them)."""
    try:
        data = yaml.safe_load(text)
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark
        where = f"第 {mark.line + 1} 行第 {mark.column + 1} 列" if mark else ""
        raise RuleTextError(f"{where}：{exc.problem}") from None
    except yaml.YAMLError as exc:
        raise RuleTextError(str(exc)) from None
    if isinstance(data, list):
        data = {"rules": data}
    if not isinstance(data, dict):
        raise RuleTextError(_("规则文本应为含 rules 列表的映射"))
    data.setdefault("name", name)
    data["version"] = "0"
    try:
        core_quality.rule_set_from_dict(data)
    except core_quality.RuleError as exc:
        raise RuleTextError(str(exc)) from None
    return data


def latest_version(name: str = DEFAULT_NAME) -> RuleSetVersion | None:
    return RuleSetVersion.objects.filter(name=name).order_by("-version").first()


@transaction.atomic
def save_rule_set(
    text: str, user: Any, *, name: str = DEFAULT_NAME, note: str = ""
) -> RuleSetVersion:
    """Store ``text`` as the next version of ``name``; old versions are kept."""
    data = parse_rule_text(text, name)
    previous = (
        RuleSetVersion.objects.select_for_update().filter(name=name).order_by("-version").first()
    )
    number = previous.version + 1 if previous else 1
    data["version"] = str(number)
    return RuleSetVersion.objects.create(
        name=name, version=number, text=text, data=data, note=note, created_by=user
    )


def ensure_default_rule_set() -> tuple[RuleSetVersion, bool]:
    """The rule set in force, storing the built-in default as version 1 when there is none."""
    current = latest_version()
    if current is not None:
        return current, False
    data = default_rule_data()
    version = save_rule_set(as_text(data), None, note=_("内置默认规则"))
    return version, True


def active_rule_set() -> RuleSetVersion:
    return ensure_default_rule_set()[0]


# --- findings ----------------------------------------------------------------------------


def findings_for(record: Model) -> QuerySet[Finding]:
    return Finding.objects.filter(
        content_type=ContentType.objects.get_for_model(record), object_id=record.pk
    ).select_related("rule_set")


def stored_kind(record_kind: str) -> str:
    """The kind a finding is filed under: per-target and base-year kinds under their family."""
    kind = record_kind.split(":")[0]
    return "district_energy_year" if kind == BASE_YEAR_KIND else kind


def _store(
    check: adapters.Check, found: Sequence[core_quality.Finding], version: RuleSetVersion
) -> list[Finding]:
    content_type = ContentType.objects.get_for_model(check.subject)
    existing = {
        f.rule_code: f
        for f in Finding.objects.filter(
            content_type=content_type,
            object_id=check.subject.pk,
            period=check.period,
            record_kind=stored_kind(check.context.record_kind),
        )
    }
    now = timezone.now()
    stored = []
    for item in found:
        figures = json.loads(json.dumps(dict(item.figures), default=str))
        row = existing.pop(item.rule_code, None)
        if row is None:
            row = Finding(
                content_type=content_type,
                object_id=check.subject.pk,
                period=check.period,
                record_kind=stored_kind(check.context.record_kind),
                rule_code=item.rule_code,
            )
        elif row.status == FindingStatus.RESOLVED:
            row.status, row.resolved_at, row.override = FindingStatus.OPEN, None, None
        row.label = check.label[:200]
        row.area_id, row.target_id = check.area_id, check.target_id
        row.enterprise_id = check.enterprise_id
        row.severity, row.message, row.figures = item.severity.value, item.message, figures
        row.rule_set = version
        row.save()
        stored.append(row)
    for gone in existing.values():
        if gone.status == FindingStatus.OPEN:
            gone.status, gone.resolved_at = FindingStatus.RESOLVED, now
            gone.save(update_fields=["status", "resolved_at", "checked_at"])
    return stored


def _run(checks: Iterable[adapters.Check], version: RuleSetVersion) -> list[Finding]:
    """Evaluate checks of one subject; several checks may share a subject (observations are
    judged by the rules of every target and of their own), so they are stored together."""
    rule_set = version.rule_set()
    grouped: dict[tuple[int, str, str], tuple[adapters.Check, list[core_quality.Finding]]] = {}
    for check in checks:
        key = (check.subject.pk, check.period, stored_kind(check.context.record_kind))
        found = core_quality.evaluate(rule_set, check.record, check.context)
        if key in grouped:
            grouped[key][1].extend(found)
        else:
            grouped[key] = (check, list(found))
    stored = []
    for check, found in grouped.values():
        stored += _store(check, found, version)
    return stored


def check_record(record: Model) -> list[Finding]:
    """Run the rules in force on one record and store what they find."""
    return _run(adapters.checks_for(record), active_rule_set())


def on_figures_received(sender: Any, records: Sequence[Model], **kwargs: Any) -> None:
    if not records:
        return
    version = active_rule_set()
    for record in records:
        if isinstance(record, CHECKED_MODELS):
            _run(adapters.checks_for(record), version)


def open_findings(record: Model) -> QuerySet[Finding]:
    return findings_for(record).filter(status=FindingStatus.OPEN)


class ApprovalBlocked(ValidationError):
    """Open findings need a justification before the record may be approved."""

    def __init__(self, findings: Sequence[Finding]) -> None:
        self.findings = list(findings)
        lines = "；".join(f.message for f in self.findings)
        super().__init__(
            _("存在须说明理由的数据质量问题，请填写审核通过理由：%(findings)s")
            % {"findings": lines}
        )


def pre_approval_check(record: Any, user: Any, justification: str) -> None:
    """Registered with the audit workflow: runs inside every approval."""
    if not isinstance(record, CHECKED_MODELS):
        return
    check_record(record)
    pending = list(open_findings(record).filter(severity__in=NEEDS_JUSTIFICATION))
    if not pending:
        return
    if not justification:
        raise ApprovalBlocked(pending)
    override = Override.objects.create(
        content_type=ContentType.objects.get_for_model(record),
        object_id=record.pk,
        justification=justification,
        approved_by=user,
    )
    Finding.objects.filter(pk__in=[f.pk for f in pending]).update(
        status=FindingStatus.OVERRIDDEN, override=override
    )


def overrides_for(record: Model) -> QuerySet[Override]:
    return Override.objects.filter(
        content_type=ContentType.objects.get_for_model(record), object_id=record.pk
    ).select_related("approved_by")


# --- the nightly run ---------------------------------------------------------------------


@dataclass
class RunSummary:
    records: int = 0
    series: int = 0
    open_findings: int = 0
    reconciliations: int = 0
    rule_set: str = ""

    def __str__(self) -> str:
        return _(
            "数据质量检查（规则集 %(rules)s）：记录 %(records)s 条，在线数据 %(series)s 个表计月，"
            "未处理问题 %(open)s 个"
        ) % {
            "rules": self.rule_set,
            "records": self.records,
            "series": self.series,
            "open": self.open_findings,
        }


def _months(first: datetime, last: datetime) -> list[tuple[int, int]]:
    tz = timezone.get_default_timezone()
    a, b = first.astimezone(tz), last.astimezone(tz)
    months = []
    year, month = a.year, a.month
    while (year, month) <= (b.year, b.month):
        months.append((year, month))
        year, month = (year + 1, 1) if month == 12 else (year, month + 1)
    return months[-ONLINE_MONTHS:]


def online_checks(meter: Meter) -> list[adapters.Check]:
    """Checks of the latest months that have readings (at most ``ONLINE_MONTHS``)."""
    span = MeterReading.objects.filter(meter=meter).aggregate(first=Min("time"), last=Max("time"))
    if span["first"] is None:
        return []
    checks = []
    # A register reading at 00:00 closes the previous day, so it does not open a new month.
    last = max(span["first"], span["last"] - timedelta(minutes=1))
    for year, month in _months(span["first"], last):
        checks += adapters.online_month_checks(meter, year, month)
    return checks


def nightly_checks() -> Iterator[tuple[str, list[adapters.Check]]]:
    """What the nightly run checks, one batch per transaction: ``("record", checks of one
    submitted record or district year)``, ``("series", checks of one meter's online
    months)`` and ``("reconciliation", checks of one plan's computed targets)``."""
    records: list[Model] = [
        *Observation.objects.filter(status=Status.SUBMITTED).select_related("target", "area"),
        *EnergyReport.objects.filter(status=Status.SUBMITTED).select_related("enterprise"),
        *DistrictEnergyYear.objects.select_related("area").prefetch_related("carriers"),
    ]
    for record in records:
        yield "record", adapters.checks_for(record)
    for meter in Meter.objects.select_related("enterprise"):
        yield "series", online_checks(meter)
    for plan in Plan.objects.all():
        yield "reconciliation", adapters.reconciliation_checks(plan)


def run_all() -> RunSummary:
    """Check every submitted record, every district's yearly data and the online streams."""
    version = active_rule_set()
    summary = RunSummary(rule_set=str(version))
    for part, checks in nightly_checks():
        with transaction.atomic():
            if part == "record":
                _run(checks, version)
                summary.records += 1
                continue
            for check in checks:
                _run([check], version)
        if part == "series":
            summary.series += len(checks)
        else:
            summary.reconciliations += len(checks)
    summary.open_findings = Finding.objects.filter(status=FindingStatus.OPEN).count()
    return summary


def check_reconciliations(version: RuleSetVersion | None = None) -> list[adapters.Check]:
    """Check every approved figure reported for a computed target against the computed one
    (rule kind ``target_reconciliation``, e.g. 填报值与核算值不一致), in every plan."""
    version = version or active_rule_set()
    checks = []
    for plan in Plan.objects.all():
        checks += adapters.reconciliation_checks(plan)
    with transaction.atomic():
        for check in checks:
            _run([check], version)
    return checks


def count_findings(rule_sets: Sequence[core_quality.RuleSet]) -> list[Counter[str]]:
    """How many findings each rule set raises, by rule code, over what the nightly run checks
    (:func:`nightly_checks`, judged by ``ecer.core.quality.evaluate`` as :func:`run_all`
    does). Nothing is stored: this is the rule editor's preview of a proposed rule set."""
    counts: list[Counter[str]] = [Counter() for _ in rule_sets]
    for _part, checks in nightly_checks():
        for check in checks:
            for count, rule_set in zip(counts, rule_sets, strict=True):
                for found in core_quality.evaluate(rule_set, check.record, check.context):
                    count[found.rule_code] += 1
    return counts


@dataclass(frozen=True)
class RuleEffect:
    """One rule's findings under the rules in force and under the edited ones (None: the
    rule is not in that set)."""

    code: str
    name: str
    applies_to: str
    current: int | None
    proposed: int | None

    @property
    def change(self) -> int | None:
        """Proposed minus current findings; None when the rule is new or removed."""
        if self.current is None or self.proposed is None:
            return None
        return self.proposed - self.current


def rule_effects(current: core_quality.RuleSet, proposed: core_quality.RuleSet) -> list[RuleEffect]:
    """What saving ``proposed`` would change: each rule's findings over what the nightly run
    checks (:func:`count_findings`), in force and proposed, in the order of the rules."""
    now, then = count_findings([current, proposed])
    proposed_names = {r.code: r.name for r in proposed.rules}
    current_codes = {r.code for r in current.rules}
    rows = [
        RuleEffect(
            r.code,
            proposed_names.get(r.code, r.name),
            r.applies_to,
            now[r.code],
            then[r.code] if r.code in proposed_names else None,
        )
        for r in current.rules
    ]
    rows += [
        RuleEffect(r.code, r.name, r.applies_to, None, then[r.code])
        for r in proposed.rules
        if r.code not in current_codes
    ]
    return rows


def edited_rule_set(rules: list[dict[str, Any]], name: str = DEFAULT_NAME) -> core_quality.RuleSet:
    """The rules of a form as a rule set (:class:`core_quality.RuleError` names the rule and
    the field at fault)."""
    return core_quality.rule_set_from_dict({"name": name, "version": "0", "rules": rules})


def save_rule_data(
    rules: list[dict[str, Any]], user: Any, *, name: str = DEFAULT_NAME, note: str = ""
) -> RuleSetVersion:
    """Store edited rules as the next version, written as the text the advanced editor shows."""
    return save_rule_set(as_text({"name": name, "rules": rules}), user, name=name, note=note)


# --- who sees which findings -------------------------------------------------------------


def visible_findings(scope: Any, queryset: QuerySet[Finding]) -> QuerySet[Finding]:
    """City administrators and leaders see all; a department the findings on targets it leads
    or co-leads and on areas' aggregate data, none on an enterprise's; a district its
    district's; an enterprise its own."""
    if scope.role in (Role.CITY_ADMIN, Role.LEADER):
        return queryset
    if scope.role == Role.DEPARTMENT:
        return queryset.filter(
            Q(target__in=scope.targets(Target.objects.all()))
            | Q(target__isnull=True, enterprise__isnull=True)
        )
    if scope.role == Role.DISTRICT:
        return queryset.filter(area_id=scope.area_id).filter(
            Q(target__isnull=True) | Q(target__in=scope.targets(Target.objects.all()))
        )
    if scope.role == Role.ENTERPRISE and scope.enterprise_code:
        return queryset.filter(enterprise__credit_code=scope.enterprise_code)
    return queryset.none()


def district_areas() -> QuerySet[Area]:
    return Area.objects.order_by("sort_order")
