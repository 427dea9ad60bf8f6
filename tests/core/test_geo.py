"""Point-in-district, areas, centroids and the projection (ecer.core.geo), by hand."""

from __future__ import annotations

import math

import pytest

from ecer.core import geo

SQUARE = ((0.0, 0.0), (1.0, 0.0), (1.0, 1.0), (0.0, 1.0), (0.0, 0.0))
HOLE = ((0.25, 0.25), (0.75, 0.25), (0.75, 0.75), (0.25, 0.75), (0.25, 0.25))


def test_the_unit_square_has_area_one_and_its_centre_as_centroid() -> None:
    assert geo.ring_area(SQUARE) == pytest.approx(1.0)  # anticlockwise: positive
    assert geo.ring_area(tuple(reversed(SQUARE))) == pytest.approx(-1.0)
    assert geo.ring_centroid(SQUARE) == pytest.approx((0.5, 0.5))


def test_an_l_shape_centroid_by_hand() -> None:
    # Two squares: [0,2]×[0,1] (area 2, centre (1, .5)) and [0,1]×[1,2] (area 1, centre
    # (.5, 1.5)): centroid ((2·1 + 1·.5)/3, (2·.5 + 1·1.5)/3) = (5/6, 5/6).
    ring = ((0.0, 0.0), (2.0, 0.0), (2.0, 1.0), (1.0, 1.0), (1.0, 2.0), (0.0, 2.0), (0.0, 0.0))
    assert geo.ring_area(ring) == pytest.approx(3.0)
    assert geo.ring_centroid(ring) == pytest.approx((5 / 6, 5 / 6))


def test_a_point_in_a_hole_is_outside() -> None:
    district = geo.District("甲", ((SQUARE, HOLE),))
    assert district.contains(0.1, 0.1)
    assert not district.contains(0.5, 0.5)  # in the hole
    assert not district.contains(1.5, 0.5)
    assert geo.district_of([district], 0.1, 0.9) == "甲"
    assert geo.district_of([district], 5, 5) is None


def test_the_projection_keeps_ground_proportions() -> None:
    # At 60° N a degree of longitude is half a degree of latitude on the ground (cos 60° = .5):
    # a 2°×1° box is drawn square.
    box = ((10.0, 59.5), (12.0, 59.5), (12.0, 60.5), (10.0, 60.5), (10.0, 59.5))
    projection = geo.Projection.fit([geo.District("乙", ((box,),))], 100, margin=0)
    assert projection.x_factor == pytest.approx(math.cos(math.radians(60)))
    assert projection.height == pytest.approx(100)
    assert projection(10, 60.5) == pytest.approx((0, 0))
    assert projection(12, 59.5) == pytest.approx((100, 100))


@pytest.mark.parametrize(
    ("document", "message"),
    [
        ({"type": "Feature"}, "FeatureCollection"),
        ({"type": "FeatureCollection", "features": []}, "no features"),
        (
            {"type": "FeatureCollection", "features": [{"properties": {}, "geometry": {}}]},
            "properties.name",
        ),
        (
            {
                "type": "FeatureCollection",
                "features": [
                    {
                        "properties": {"name": "丙"},
                        "geometry": {"type": "Point", "coordinates": [1, 2]},
                    }
                ],
            },
            "Polygon",
        ),
        (
            {
                "type": "FeatureCollection",
                "features": [
                    {
                        "properties": {"name": "丁"},
                        "geometry": {"type": "Polygon", "coordinates": [[[0, 0], [1, 0], [0, 0]]]},
                    }
                ],
            },
            "4 positions",
        ),
        (
            {
                "type": "FeatureCollection",
                "features": [
                    {
                        "properties": {"name": "戊"},
                        "geometry": {
                            "type": "Polygon",
                            "coordinates": [[[0, 0], [1, 0], [1, 1e400], [0, 0]]],
                        },
                    }
                ],
            },
            "longitude, latitude",
        ),
    ],
)
def test_a_bad_boundary_file_says_what_is_wrong(document: object, message: str) -> None:
    with pytest.raises(geo.BoundaryError, match=message):
        geo.parse_boundaries(document)
