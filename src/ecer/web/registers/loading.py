"""Load the plan file's ``registers`` section (called by ``catalog.loading``, in its
transaction). A register no longer in the file is deleted only when it has no items."""

from __future__ import annotations

from typing import Any

from ecer.plan.schema import PlanCatalog
from ecer.web.catalog.loading import CatalogLoadError
from ecer.web.catalog.models import Plan, Section


class RegisterLoadError(CatalogLoadError):
    pass


def load_registers(
    plan: Plan, catalog: PlanCatalog, sections: dict[str, Section], upsert: Any, summary: Any
) -> None:
    from ecer.web.registers.models import Register

    for order, entry in enumerate(catalog.registers):
        upsert(
            Register,
            {"plan": plan, "code": entry.code},
            {
                "section": sections[entry.clause],
                "name": entry.name,
                "item": entry.item,
                "size_label": entry.size_label,
                "size_unit": entry.size_unit,
                "measure": entry.measure,
                "lead": ",".join(entry.lead),
                "note": entry.note or "",
                "sort_order": order,
            },
            summary,
        )
    stale = Register.objects.filter(plan=plan).exclude(code__in=[r.code for r in catalog.registers])
    blocked = sorted(stale.filter(items__isnull=False).values_list("code", flat=True).distinct())
    if blocked:
        raise RegisterLoadError(
            "registers removed from the plan file still have items: " + ", ".join(blocked)
        )
    count = stale.count()
    if count:
        stale.delete()
        summary.deleted["register"] = count
