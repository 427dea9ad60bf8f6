"""The plan's rules as the web layer reads them: one helper per rule the modules apply.

A plan value (a threshold, a list of parks) lives only in the plan file; it reaches the
database as a ``Rule`` row (``parameters`` JSON) when the plan is loaded, and every page,
form, importer and service reads it here, from the loaded plan, never from a constant. Each
call reads the database, so a plan loaded again is in effect at once.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.utils.translation import gettext as _

from ecer.core import energy as core_energy
from ecer.web.catalog.models import Plan, Rule
from ecer.web.catalog.observations_io import active_plan

KEY_UNIT = "key_energy_unit_threshold"
ONLINE_MONITORING = "online_monitoring_threshold"
PARKS = "industrial_parks"


class PlanRuleError(LookupError):
    """The loaded plan lacks a rule, or a parameter of it, that a module needs."""


def plan_rule(code: str, plan: Plan | None = None) -> Rule:
    """The rule ``code`` of ``plan`` (default: the active plan)."""
    plan = plan or active_plan()
    rule = Rule.objects.filter(plan=plan, code=code).select_related("section").first()
    if rule is None:
        raise PlanRuleError(
            _("规划方案 %(plan)s 缺少规则 %(code)s") % {"plan": plan.code, "code": code}
        )
    return rule


def _parameter(rule: Rule, name: str) -> Any:
    try:
        return rule.parameters[name]
    except (KeyError, TypeError):
        raise PlanRuleError(
            _("规则 %(code)s 缺少参数 %(name)s") % {"code": rule.code, "name": name}
        ) from None


@dataclass(frozen=True)
class UnitThreshold:
    """An annual-consumption threshold of the plan.

    tce_per_year: The figure [tce per year]. comparison: ``at_least`` (以上) or
    ``greater_than`` (超过). clause: The plan clause it comes from.
    """

    tce_per_year: float
    comparison: core_energy.ThresholdComparison
    clause: str

    def applies_to(self, annual_tce: float) -> bool:
        """Whether a unit of ``annual_tce`` [tce] is within it (``core.energy``)."""
        return core_energy.is_key_energy_unit(annual_tce, self.tce_per_year, self.comparison)


def unit_threshold(code: str, plan: Plan | None = None) -> UnitThreshold:
    rule = plan_rule(code, plan)
    return UnitThreshold(
        tce_per_year=float(_parameter(rule, "threshold_tce_per_year")),
        comparison=core_energy.ThresholdComparison(_parameter(rule, "comparison")),
        clause=rule.section.clause,
    )


def key_unit_threshold(plan: Plan | None = None) -> UnitThreshold:
    """Key energy-consuming units (重点用能单位): Beihai 三(一), "年能耗5000吨标准煤以上"."""
    return unit_threshold(KEY_UNIT, plan)


def industrial_parks(plan: Plan | None = None) -> tuple[str, ...]:
    """The industrial parks the plan names (Beihai 三(二)), in the plan's order."""
    names = _parameter(plan_rule(PARKS, plan), "names")
    if isinstance(names, str):
        return (names,)
    return tuple(str(name) for name in names)


def park_error(park: str, plan: Plan | None = None) -> str | None:
    """Why ``park`` cannot be an enterprise's park (Chinese), or None when it is one of the
    plan's (an empty park, "not in a park", is always allowed)."""
    if not park:
        return None
    parks = industrial_parks(plan)
    if park in parks:
        return None
    rule = plan_rule(PARKS, plan)
    return _("园区“%(park)s”不是方案%(clause)s点名的园区，应为：%(parks)s") % {
        "park": park,
        "clause": rule.section.clause,
        "parks": "、".join(parks),
    }
