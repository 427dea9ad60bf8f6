"""Load a validated plan catalog (ecer.plan.schema.PlanCatalog) into the database.

Idempotent: rows are matched by their codes and updated in place; running it twice changes
nothing. The whole load runs in one transaction, so a failure leaves the database as it was.
Targets, tasks and rules no longer in the file are deleted only if nothing refers to them;
otherwise the load fails with the codes that block it.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass, field
from typing import Any

from django.db import transaction

from ecer.plan.schema import PlanCatalog
from ecer.web.catalog.models import Area, Department, Observation, Plan, Rule, Section, Target, Task


class CatalogLoadError(Exception):
    pass


@dataclass
class LoadSummary:
    plan: str
    created: dict[str, int] = field(default_factory=dict)
    updated: dict[str, int] = field(default_factory=dict)
    deleted: dict[str, int] = field(default_factory=dict)

    def count(self, bucket: dict[str, int], kind: str) -> None:
        bucket[kind] = bucket.get(kind, 0) + 1

    def __str__(self) -> str:
        def fmt(bucket: dict[str, int]) -> str:
            return ", ".join(f"{k} {v}" for k, v in sorted(bucket.items())) or "none"

        return (
            f"plan {self.plan}: created {fmt(self.created)}; updated {fmt(self.updated)}; "
            f"deleted {fmt(self.deleted)}"
        )


def _upsert(
    model: Any, lookup: dict[str, Any], values: dict[str, Any], summary: LoadSummary
) -> Any:
    obj = model.objects.filter(**lookup).first()
    kind = model._meta.model_name
    if obj is None:
        obj = model.objects.create(**lookup, **values)
        summary.count(summary.created, kind)
        return obj
    changed = [name for name, value in values.items() if getattr(obj, name) != value]
    if changed:
        for name in changed:
            setattr(obj, name, values[name])
        obj.save(update_fields=changed)
        summary.count(summary.updated, kind)
    return obj


def _set_departments(
    obj: Any, lead: list[str], co: list[str], departments: dict[str, Department]
) -> bool:
    wanted_lead = {departments[c].pk for c in lead}
    wanted_co = {departments[c].pk for c in co}
    current_lead = set(obj.lead_departments.values_list("pk", flat=True))
    current_co = set(obj.co_departments.values_list("pk", flat=True))
    if (wanted_lead, wanted_co) == (current_lead, current_co):
        return False
    obj.lead_departments.set(wanted_lead)
    obj.co_departments.set(wanted_co)
    return True


def catalog_checksum(catalog: PlanCatalog) -> str:
    payload = json.dumps(catalog.model_dump(mode="json"), sort_keys=True, ensure_ascii=False)
    return hashlib.sha256(payload.encode("utf-8")).hexdigest()


@transaction.atomic
def load_catalog_into_db(catalog: PlanCatalog) -> LoadSummary:
    info = catalog.plan
    summary = LoadSummary(plan=info.code)

    areas: dict[str, Area] = {}
    for order, area in enumerate(catalog.areas):
        areas[area.code] = _upsert(
            Area,
            {"code": area.code},
            {
                "name": area.name,
                "kind": str(area.kind),
                "parent": areas[area.parent] if area.parent else None,
                "sort_order": order,
            },
            summary,
        )
    departments = {
        d.code: _upsert(Department, {"code": d.code}, {"name": d.name}, summary)
        for d in catalog.departments
    }
    plan = _upsert(
        Plan,
        {"code": info.code},
        {
            "name": info.name,
            "source": info.source or "",
            "area": areas[info.area],
            "base_year": info.base_year,
            "target_year": info.target_year,
            "checksum": catalog_checksum(catalog),
        },
        summary,
    )
    sections = {
        s.clause: _upsert(
            Section,
            {"plan": plan, "clause": s.clause},
            {"title": s.title, "sort_order": order},
            summary,
        )
        for order, s in enumerate(catalog.sections)
    }
    for order, t in enumerate(catalog.targets):
        target = _upsert(
            Target,
            {"plan": plan, "code": t.code},
            {
                "section": sections[t.clause],
                "name": t.name,
                "kind": str(t.kind),
                "unit": t.unit or "",
                "indicator_unit": t.indicator_unit or "",
                "base_year": t.base_year,
                "base_value": t.base_value,
                "target_year": t.target_year,
                "target_value": t.target_value,
                "target_value_note": t.target_value_note or "",
                "threshold": t.threshold,
                "threshold_unit": t.threshold_unit or "",
                "applies_to_districts": t.applies_to_districts,
                "binding": t.binding or "",
                "feed": t.feed,
                "wording": t.wording.value,
                "strict": t.strict,
                "every_year": t.every_year,
                "quote": t.quote,
                "note": t.note or "",
                "sort_order": order,
            },
            summary,
        )
        if _set_departments(target, t.lead, t.co, departments):
            summary.count(summary.updated, "target departments")
    for order, task in enumerate(catalog.tasks):
        obj = _upsert(
            Task,
            {"plan": plan, "code": task.code},
            {
                "section": sections[task.clause],
                "name": task.name,
                "quote": task.quote,
                "due_year": task.due_year,
                "sort_order": order,
            },
            summary,
        )
        if _set_departments(obj, task.lead, task.co, departments):
            summary.count(summary.updated, "task departments")
    for order, rule in enumerate(catalog.rules):
        _upsert(
            Rule,
            {"plan": plan, "code": rule.code},
            {
                "section": sections[rule.clause],
                "name": rule.name,
                "quote": rule.quote,
                "parameters": rule.model_dump(mode="json")["parameters"],
                "sort_order": order,
            },
            summary,
        )
    from ecer.web.registers.loading import load_registers

    load_registers(plan, catalog, sections, _upsert, summary)
    from ecer.web.programmes.loading import load_programmes

    load_programmes(plan, catalog, sections, _upsert, summary)
    _delete_missing(plan, catalog, summary)
    return summary


def _delete_missing(plan: Plan, catalog: PlanCatalog, summary: LoadSummary) -> None:
    stale_targets = plan.targets.exclude(code__in=[t.code for t in catalog.targets])
    blocked = sorted(
        Observation.objects.filter(target__in=stale_targets)
        .values_list("target__code", flat=True)
        .distinct()
    )
    if blocked:
        raise CatalogLoadError(
            "targets removed from the plan file still have observations: " + ", ".join(blocked)
        )
    stale_tasks = plan.tasks.exclude(code__in=[t.code for t in catalog.tasks])
    reported = sorted(
        stale_tasks.filter(reports__isnull=False).values_list("code", flat=True).distinct()
    )
    if reported:
        raise CatalogLoadError(
            "tasks removed from the plan file still have progress reports: " + ", ".join(reported)
        )
    for queryset, kind in (
        (stale_targets, "target"),
        (stale_tasks, "task"),
        (plan.rules.exclude(code__in=[r.code for r in catalog.rules]), "rule"),
    ):
        count = queryset.count()
        if count:
            queryset.delete()
            summary.deleted[kind] = count
    stale_sections = plan.sections.exclude(clause__in=[s.clause for s in catalog.sections])
    if stale_sections.exists():
        count = stale_sections.count()
        stale_sections.delete()
        summary.deleted["section"] = count
