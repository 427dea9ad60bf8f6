"""A hedged target says so where a user reads it: the target page header and the overview's
target value cell show the plan's wording (力争, 左右, 基本, 超过, 稳定在…以上)."""

from __future__ import annotations

import re
from typing import Any

import pytest
from django.utils import translation

from ecer.web.catalog.models import Target, Wording

pytestmark = pytest.mark.django_db

WORDING = {
    "urban_sewage_collection_rate": "力争目标",  # 力争达到70%以上
    "urban_waste_resource_utilization_rate": "约数目标（左右）",  # 60%左右
    "urban_sewage_direct_outlets": "基本完成类目标",  # 基本消除
    "efficiency_benchmark_capacity_share": "须超过目标值",  # 超过 30%
    "straw_utilization_rate": "每年均须达到",  # 稳定在 86%以上
}


def _head(page: str) -> str:
    return page.split('<div class="page-head">')[1].split("</div>")[0]


@pytest.mark.parametrize(("code", "label"), WORDING.items())
def test_the_target_page_header_shows_the_wording(
    admin_client: Any, demo_data: Any, code: str, label: str
) -> None:
    head = _head(admin_client.get(f"/targets/{code}/").content.decode())
    assert '<span class="tag"' in head and label in head


def test_a_firm_target_carries_no_wording_tag(admin_client: Any, demo_data: Any) -> None:
    head = _head(admin_client.get("/targets/green_travel_share/").content.decode())
    assert not any(label in head for label in WORDING.values())
    assert "须达到" not in head


def test_the_overview_shows_the_wording_in_the_target_cell(
    admin_client: Any, demo_data: Any
) -> None:
    page = admin_client.get("/").content.decode()
    for label in WORDING.values():
        assert label in page
    # 力争 is tagged once per strive target (four in the plan), in its target cell.
    assert len(re.findall(">力争目标</span>", page)) == 4


def test_the_labels_are_in_the_english_catalogue() -> None:
    with translation.override("en"):
        assert [str(w.label) for w in Wording] == [
            "Firm target",
            "Target to strive for",
            "Approximate target (about)",
            "To be basically achieved",
        ]
        assert str(Target._meta.get_field("every_year").verbose_name) == "Due every year"
