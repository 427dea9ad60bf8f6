"""CO2 of carrier lines with the configured factors, and what the pages say about it.

Shared by the districts' pages and the enterprises' reports. The numbers come from
``ecer.core.carbon.assess_co2``; the factors from ``ECER_GRID_CO2_T_PER_MWH`` and
``ECER_HEAT_CO2_T_PER_GJ`` (see settings for their sources).
"""

from __future__ import annotations

from collections.abc import Iterable

from django.conf import settings
from django.utils.translation import gettext as _

from ecer.core import carbon as core_carbon
from ecer.core import energy as core_energy
from ecer.web.catalog.models import Plan, Target


def co2_of(
    lines: Iterable[core_energy.Consumption], raw_material_tce: float
) -> core_carbon.Co2Assessment:
    """CO2 of carrier lines with the configured factors (``core.carbon.assess_co2``)."""
    return core_carbon.assess_co2(
        lines,
        raw_material_tce=raw_material_tce or 0.0,
        grid_factor_t_per_mwh=settings.ECER_GRID_CO2_T_PER_MWH,
        heat_factor_t_per_gj=settings.ECER_HEAT_CO2_T_PER_GJ,
    )


def co2_notes(co2: core_carbon.Co2Assessment) -> list[str]:
    """Chinese notes on what a CO2 account could not count, or counted only as a bound."""
    notes = []
    if co2.missing_parameters:
        names = "、".join(core_energy.CARRIERS[c].name_zh for c in co2.missing_parameters)
        notes.append(
            _(
                "缺少%(carriers)s的燃烧排放参数（GB/T 32150-2015 附录 A 无缺省值），"
                "燃料燃烧排放和排放总量无法计算"
            )
            % {"carriers": names}
        )
    if co2.heat_factor_missing:
        notes.append(_("未设定热力排放因子，外购热力排放和排放总量无法计算"))
    if co2.includes_raw_material:
        tce = f"{co2.raw_material_tce:,.1f}"
        if co2.fuel_co2_t is None:
            notes.append(
                _("分品种消费量中含原料用能 %(tce)s 吨标准煤，无法按品种分离") % {"tce": tce}
            )
        else:
            notes.append(
                _(
                    "分品种消费量中含原料用能 %(tce)s 吨标准煤，无法按品种分离，"
                    "燃料燃烧排放按全部燃烧计算，为上限值"
                )
                % {"tce": tce}
            )
    return notes


def co2_factor_note() -> str:
    """The factors in use, for the pages (Chinese)."""
    heat = settings.ECER_HEAT_CO2_T_PER_GJ
    return _(
        "燃料燃烧按 GB/T 32150-2015 附录 A 缺省参数计算；外购电力按电网排放因子 %(grid)s "
        "吨二氧化碳/兆瓦时；外购热力按 %(heat)s；各年采用同一组因子。"
    ) % {
        "grid": settings.ECER_GRID_CO2_T_PER_MWH,
        "heat": _("%(f)s 吨二氧化碳/吉焦") % {"f": heat} if heat is not None else _("（未设定）"),
    }


# The plan's CO2 target (二: 单位地区生产总值二氧化碳排放降低), a decline against the base year.
CO2_TARGET_CODE = "co2_intensity_decline"


def co2_target(plan: Plan) -> Target | None:
    return Target.objects.filter(plan=plan, code=CO2_TARGET_CODE).first()
