"""Load the plan file's ``programmes`` section (called by ``catalog.loading``, in its
transaction). A programme no longer in the file is deleted only when it has no projects."""

from __future__ import annotations

from typing import Any

from ecer.plan.schema import PlanCatalog
from ecer.web.catalog.loading import CatalogLoadError
from ecer.web.catalog.models import Department, Plan, Section


class ProgrammeLoadError(CatalogLoadError):
    pass


def _set(relation: Any, wanted: set[int]) -> bool:
    if set(relation.values_list("pk", flat=True)) == wanted:
        return False
    relation.set(wanted)
    return True


def load_programmes(
    plan: Plan, catalog: PlanCatalog, sections: dict[str, Section], upsert: Any, summary: Any
) -> None:
    from ecer.web.programmes.models import Programme

    departments = {d.code: d.pk for d in Department.objects.all()}
    targets = dict(plan.targets.values_list("code", "pk"))
    for order, entry in enumerate(catalog.programmes):
        programme = upsert(
            Programme,
            {"plan": plan, "code": entry.code},
            {
                "section": sections[entry.clause],
                "name": entry.name,
                "note": entry.note or "",
                "sort_order": order,
            },
            summary,
        )
        changed = _set(programme.lead_departments, {departments[c] for c in entry.lead})
        changed |= _set(programme.co_departments, {departments[c] for c in entry.co})
        changed |= _set(programme.targets, {targets[c] for c in entry.targets})
        if changed:
            summary.count(summary.updated, "programme links")
    stale = Programme.objects.filter(plan=plan).exclude(
        code__in=[p.code for p in catalog.programmes]
    )
    blocked = sorted(stale.filter(projects__isnull=False).values_list("code", flat=True).distinct())
    if blocked:
        raise ProgrammeLoadError(
            "programmes removed from the plan file still have projects: " + ", ".join(blocked)
        )
    count = stale.count()
    if count:
        stale.delete()
        summary.deleted["programme"] = count
