"""What the leaders' views show: the light table, the map's layers and the big screen's panels.

Every figure is the indicator service's (``ecer.web.indicators.service``) or the assessment's
(``ecer.web.reports.services.assess_year``); this module only arranges them.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from django.db.models import QuerySet

from ecer.core import assessment as core_assessment
from ecer.core import geo
from ecer.core.warning import WarningLevel
from ecer.web import geodata
from ecer.web.audit.version import data_version
from ecer.web.catalog.labels import LEVEL_HEX
from ecer.web.catalog.models import Area, Plan, Target
from ecer.web.indicators import service as indicators
from ecer.web.indicators.feeds import FeedContext
from ecer.web.reports import services as reports

# The colour of an assessment grade on the light table and the map (the briefing's rule:
# 未完成 red, 基本完成 yellow, 完成 and 超额完成 green, 未评级 unknown).
GRADE_LEVELS = {
    core_assessment.Grade.EXCEEDED: WarningLevel.GREEN,
    core_assessment.Grade.COMPLETED: WarningLevel.GREEN,
    core_assessment.Grade.BASIC: WarningLevel.YELLOW,
    core_assessment.Grade.FAILED: WarningLevel.RED,
    core_assessment.Grade.UNRATED: WarningLevel.UNKNOWN,
}
GRADE_COLUMN = "assessment"


@dataclass(frozen=True)
class Light:
    """One cell: a level, the value shown and a one-line reason."""

    level: WarningLevel
    text: str
    reason: str
    indicator: indicators.Indicator | None = None


@dataclass
class LightRow:
    area: Area
    cells: list[Light | None] = field(default_factory=list)  # None: not assessed there

    def count(self, level: WarningLevel) -> int:
        return sum(1 for c in self.cells if c is not None and c.level is level)

    @property
    def red(self) -> int:
        return self.count(WarningLevel.RED)

    @property
    def yellow(self) -> int:
        return self.count(WarningLevel.YELLOW)

    @property
    def green(self) -> int:
        return self.count(WarningLevel.GREEN)


@dataclass(frozen=True)
class LightTable:
    year: int
    targets: list[Target]
    rows: list[LightRow]
    data_version: str
    with_grade: bool


def district_targets(plan: Plan, scope: Any = None) -> list[Target]:
    """The targets the plan decomposes to the districts: the light table's columns."""
    queryset = plan.targets.filter(applies_to_districts=True).select_related("section")
    if scope is not None:
        queryset = scope.targets(queryset)
    return list(queryset.order_by("sort_order"))


def _value_text(item: indicators.Indicator) -> str:
    from ecer.web.catalog.templatetags.ecer_tags import num

    if item.value is None:
        return "—"
    unit = item.target.indicator_unit or item.target.unit
    return f"{num(item.value)}{' ' + unit if unit else ''}"


def light_of(item: indicators.Indicator) -> Light:
    reason = "；".join(item.problems) or reports.sentence(item, item.year)
    return Light(item.level, _value_text(item), reason, item)


def grade_light(result: core_assessment.Assessment) -> Light:
    from ecer.web.catalog.templatetags.ecer_tags import num

    score = "—" if result.score is None else num(result.score, 1)
    reason = "；".join(result.reasons_zh[:2]) or result.grade.label_zh
    return Light(GRADE_LEVELS[result.grade], f"{result.grade.label_zh}（{score}）", reason)


def light_table(
    plan: Plan, areas: Sequence[Area], year: int, scope: Any = None, sort: str = ""
) -> LightTable:
    """Areas × the plan's district targets (plus the districts' assessment grade) at the end
    of ``year``. sort: "red" — most red lights first (then yellow), else plan order."""
    targets = district_targets(plan, scope)
    context = FeedContext(plan, year)
    version = data_version()
    districts = [a for a in areas if not a.is_city]
    graded = {
        a.area.pk: a.result
        for a in reports.assess_year(
            year,
            plan,
            reports.current_scheme_version().scheme(),
            districts,
            context=context,
            version=version,
        )
    }
    rows = []
    for area in areas:
        items = indicators.evaluate(
            plan, area, year, targets=targets, context=context, version=version
        )
        row = LightRow(area, [light_of(item) for item in items])
        result = graded.get(area.pk)
        row.cells.append(grade_light(result) if result is not None else None)
        rows.append(row)
    if sort == "red":
        rows.sort(key=lambda r: (-r.red, -r.yellow, r.area.sort_order))
    return LightTable(year, targets, rows, version, with_grade=bool(districts))


@dataclass(frozen=True)
class MapArea:
    area: Area | None
    name: str
    path: str
    level: WarningLevel
    light: Light | None
    label_xy: tuple[float, float]

    @property
    def fill(self) -> str:
        """The level's colour; grey for an area outside the user's scope."""
        return LEVEL_HEX[self.level.value] if self.light is not None else "D7DDE4"


@dataclass(frozen=True)
class MapSite:
    kind: str  # "enterprise" | "point"
    name: str
    xy: tuple[float, float]
    state: str  # enterprise: "site"; point: "online" | "offline" | "alarm"
    url: str
    detail: str = ""


@dataclass(frozen=True)
class CityMap:
    width: float
    height: float
    areas: list[MapArea]
    sites: list[MapSite]


def _label_xy(district: geo.District, projection: geo.Projection) -> tuple[float, float]:
    # On the centroid of the largest polygon's outer ring: never on a small island.
    biggest = max(district.polygons, key=lambda poly: abs(geo.ring_area(poly[0])))
    return projection(*geo.ring_centroid(biggest[0]))


def city_map(
    lights: dict[str, Light | None],
    areas_by_name: dict[str, Area],
    sites: Sequence[tuple[str, str, float, float, str, str, str]],
    width: float = 640,
) -> CityMap:
    """The districts drawn and coloured by ``lights`` (by area code; an area outside the
    user's scope is drawn grey without a light) and the located ``sites``: (kind, name,
    longitude, latitude, state, url, detail)."""
    districts = geodata.districts()
    projection = geo.Projection.fit(districts, width)
    drawn = []
    for district in districts:
        area = areas_by_name.get(district.name)
        light = lights.get(area.code) if area is not None else None
        drawn.append(
            MapArea(
                area,
                district.name,
                geo.svg_path(district, projection),
                light.level if light is not None else WarningLevel.UNKNOWN,
                light,
                _label_xy(district, projection),
            )
        )
    placed = [
        MapSite(kind, name, projection(lon, lat), state, url, detail)
        for kind, name, lon, lat, state, url, detail in sites
    ]
    return CityMap(projection.width, projection.height, drawn, placed)


def located(queryset: QuerySet[Any]) -> QuerySet[Any]:
    return queryset.filter(longitude__isnull=False, latitude__isnull=False)


def point_state(status: Any) -> str:
    """online / offline / alarm of a monitoring point (``monitoring.services.PointStatus``)."""
    if status.connection.offline:
        return "offline"
    return "alarm" if status.ongoing_alarms else "online"


def now_stamp(now: datetime) -> str:
    return now.strftime("%H:%M:%S")
