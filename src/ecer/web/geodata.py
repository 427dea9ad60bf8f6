"""The city's district boundaries (shipped with the plan) and the checks of a site's location."""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path
from typing import Any

from django.utils.translation import gettext as _

from ecer.core import geo

BOUNDARIES = Path(__file__).resolve().parent.parent / "plan" / "maps" / "beihai.geojson"
# Longitude [°E] and latitude [°N] of any place in China, to catch swapped or mistyped figures.
LONGITUDE_RANGE = (73.0, 136.0)
LATITUDE_RANGE = (3.0, 54.0)


@lru_cache(maxsize=1)
def districts() -> tuple[geo.District, ...]:
    return tuple(geo.load_boundaries(BOUNDARIES))


def by_name() -> dict[str, geo.District]:
    return {d.name: d for d in districts()}


def location_problems(area: Any, longitude: float | None, latitude: float | None) -> dict[str, str]:
    """Errors by field of a site's coordinates: both or neither given, inside the city, inside
    the area it is registered in (``area``: a catalog Area or None)."""
    if longitude is None and latitude is None:
        return {}
    if longitude is None or latitude is None:
        field = "longitude" if longitude is None else "latitude"
        return {field: _("经度和纬度应同时填写")}
    if not LONGITUDE_RANGE[0] <= longitude <= LONGITUDE_RANGE[1]:
        return {"longitude": _("经度应在 73–136（东经，度）之间；是否与纬度填反了？")}
    if not LATITUDE_RANGE[0] <= latitude <= LATITUDE_RANGE[1]:
        return {"latitude": _("纬度应在 3–54（北纬，度）之间；是否与经度填反了？")}
    found = geo.district_of(districts(), longitude, latitude)
    if found is None:
        return {"longitude": _("该位置不在北海市范围内")}
    name = getattr(area, "name", None)
    if name and not getattr(area, "is_city", False) and name in by_name() and found != name:
        return {
            "longitude": _("该位置在%(found)s，不在登记的%(area)s") % {"found": found, "area": name}
        }
    return {}
