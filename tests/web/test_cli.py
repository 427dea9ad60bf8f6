from __future__ import annotations

from typing import Any

import pytest

from ecer.cli import main

pytestmark = pytest.mark.django_db


def test_progress_prints_the_same_counts_as_the_dashboard(
    admin_client: Any, demo_data: Any, capsys: Any
) -> None:
    assert main(["progress", "--year", "2024"]) == 0
    out = capsys.readouterr().out
    counts = admin_client.get("/?year=2024").context["counts"]
    assert f"滞后 {counts['behind']}" in out
    assert f"已达标 {counts['met']}" in out
    assert "示例数据" in out
    assert "单位地区生产总值能源消耗" in out


def test_progress_for_a_district(demo_data: Any, capsys: Any) -> None:
    assert main(["progress", "--year", "2024", "--area", "tieshangang"]) == 0
    assert "铁山港区" in capsys.readouterr().out


@pytest.mark.parametrize("args", [["--area", "atlantis"], ["--year", "2030"]])
def test_progress_rejects_bad_arguments(demo_data: Any, capsys: Any, args: list[str]) -> None:
    assert main(["progress", *args]) == 1
    assert "error" in capsys.readouterr().err
