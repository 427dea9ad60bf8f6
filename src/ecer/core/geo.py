"""Districts on a map: boundaries, point-in-district and a flat projection for drawing.

Coordinates are longitude/latitude in degrees [°]. Boundaries are GeoJSON (RFC 7946 §3.1.6
Polygon, §3.1.7 MultiPolygon): a polygon is an outer ring followed by holes; a point is inside
when it is inside an odd number of the polygon's rings (even-odd rule).
"""

from __future__ import annotations

import json
import math
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

Ring = tuple[tuple[float, float], ...]
Polygon = tuple[Ring, ...]


class BoundaryError(ValueError):
    """A boundary file that is not the GeoJSON expected."""


@dataclass(frozen=True)
class District:
    """One area's boundary: ``polygons`` of rings of (longitude, latitude) [°]."""

    name: str
    polygons: tuple[Polygon, ...]

    @property
    def bounds(self) -> tuple[float, float, float, float]:
        """(west, south, east, north) [°]."""
        return _bounds(p for poly in self.polygons for ring in poly for p in ring)

    def contains(self, longitude: float, latitude: float) -> bool:
        return any(_in_polygon(poly, longitude, latitude) for poly in self.polygons)


def _bounds(points: Iterable[tuple[float, float]]) -> tuple[float, float, float, float]:
    xs, ys = zip(*points, strict=True)
    return min(xs), min(ys), max(xs), max(ys)


def _in_ring(ring: Ring, x: float, y: float) -> bool:
    # Ray casting to the east: count the edges the horizontal ray through y crosses.
    inside = False
    x0, y0 = ring[-1]
    for x1, y1 in ring:
        if (y1 > y) != (y0 > y) and x < x0 + (y - y0) * (x1 - x0) / (y1 - y0):
            inside = not inside
        x0, y0 = x1, y1
    return inside


def _in_polygon(polygon: Polygon, x: float, y: float) -> bool:
    return sum(_in_ring(ring, x, y) for ring in polygon) % 2 == 1


def _ring(raw: Any, where: str) -> Ring:
    if not isinstance(raw, list) or len(raw) < 4:
        raise BoundaryError(f"{where}: a ring needs at least 4 positions")
    points = []
    for i, position in enumerate(raw):
        if (
            not isinstance(position, list)
            or len(position) < 2
            or not all(isinstance(v, int | float) and math.isfinite(v) for v in position[:2])
        ):
            raise BoundaryError(f"{where}, position {i}: not [longitude, latitude]")
        lon, lat = float(position[0]), float(position[1])
        if not (-180 <= lon <= 180 and -90 <= lat <= 90):
            raise BoundaryError(f"{where}, position {i}: ({lon}, {lat}) is off the globe")
        points.append((lon, lat))
    return tuple(points)


def parse_boundaries(document: Any) -> list[District]:
    """The districts of a GeoJSON FeatureCollection (``properties.name`` names each)."""
    if not isinstance(document, dict) or document.get("type") != "FeatureCollection":
        raise BoundaryError("not a GeoJSON FeatureCollection")
    districts = []
    for n, feature in enumerate(document.get("features") or []):
        where = f"feature {n}"
        name = (feature.get("properties") or {}).get("name")
        if not isinstance(name, str) or not name:
            raise BoundaryError(f"{where}: no properties.name")
        geometry = feature.get("geometry") or {}
        kind, coordinates = geometry.get("type"), geometry.get("coordinates")
        if kind == "Polygon":
            coordinates = [coordinates]
        elif kind != "MultiPolygon":
            raise BoundaryError(f"{where} ({name}): geometry {kind!r} is not a (Multi)Polygon")
        if not isinstance(coordinates, list) or not coordinates:
            raise BoundaryError(f"{where} ({name}): no coordinates")
        polygons = tuple(
            tuple(_ring(ring, f"{where} ({name})") for ring in polygon) for polygon in coordinates
        )
        districts.append(District(name, polygons))
    if not districts:
        raise BoundaryError("no features")
    return districts


def load_boundaries(path: Path) -> list[District]:
    return parse_boundaries(json.loads(path.read_text(encoding="utf-8")))


def district_of(districts: Sequence[District], longitude: float, latitude: float) -> str | None:
    """The name of the district a point lies in, or None outside all of them."""
    for district in districts:
        if district.contains(longitude, latitude):
            return district.name
    return None


@dataclass(frozen=True)
class Projection:
    """Longitude/latitude onto a ``width``-wide drawing [px], y downwards.

    Equirectangular with the x scale shrunk by cos(latitude of the centre), so that a degree of
    longitude is drawn as long as it is on the ground there; at a city's extent (under a degree)
    the distortion is far below what a reader sees.
    """

    west: float
    north: float
    scale: float  # px per degree of latitude
    x_factor: float  # cos(centre latitude)
    width: float
    height: float

    @classmethod
    def fit(cls, districts: Sequence[District], width: float, margin: float = 8) -> Projection:
        west, south, east, north = _bounds(
            (w, s) for d in districts for (w, s) in (d.bounds[:2], d.bounds[2:])
        )
        x_factor = math.cos(math.radians((south + north) / 2))
        scale = (width - 2 * margin) / ((east - west) * x_factor)
        height = (north - south) * scale + 2 * margin
        return cls(
            west - margin / (scale * x_factor),
            north + margin / scale,
            scale,
            x_factor,
            width,
            height,
        )

    def __call__(self, longitude: float, latitude: float) -> tuple[float, float]:
        return (
            (longitude - self.west) * self.x_factor * self.scale,
            (self.north - latitude) * self.scale,
        )


def svg_path(district: District, projection: Projection) -> str:
    """The SVG path data of a district's polygons (rings closed; points on the same tenth of a
    pixel dropped)."""
    parts = []
    for polygon in district.polygons:
        for ring in polygon:
            drawn: list[str] = []
            last = None
            for lon, lat in ring:
                x, y = projection(lon, lat)
                point = f"{x:.1f},{y:.1f}"
                if point != last:
                    drawn.append(point)
                    last = point
            if len(drawn) >= 3:
                parts.append("M" + "L".join(drawn) + "Z")
    return "".join(parts)


def ring_area(ring: Ring) -> float:
    """Signed area of a ring in square degrees (shoelace formula; positive anticlockwise)."""
    pairs = zip(ring, ring[1:] + ring[:1], strict=True)
    return sum(x0 * y1 - x1 * y0 for (x0, y0), (x1, y1) in pairs) / 2


def ring_centroid(ring: Ring) -> tuple[float, float]:
    """Centroid of the area a ring encloses (longitude, latitude) [°]; for a degenerate ring
    the mean of its vertices."""
    area = ring_area(ring)
    if area == 0:
        xs, ys = zip(*ring, strict=True)
        return sum(xs) / len(xs), sum(ys) / len(ys)
    cx = cy = 0.0
    for (x0, y0), (x1, y1) in zip(ring, ring[1:] + ring[:1], strict=True):
        cross = x0 * y1 - x1 * y0
        cx += (x0 + x1) * cross
        cy += (y0 + y1) * cross
    return cx / (6 * area), cy / (6 * area)
