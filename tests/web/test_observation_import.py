from __future__ import annotations

import io
from pathlib import Path
from typing import Any

import pytest
from openpyxl import Workbook

from ecer.web.catalog.models import Observation
from ecer.web.catalog.observations_io import (
    ObservationImportError,
    import_observation_file,
    import_observations,
    read_table,
)

pytestmark = pytest.mark.django_db

HEADER = "target,area,year,quarter,value,unit,source,note\n"


def write(tmp_path: Path, text: str, name: str = "obs.csv") -> Path:
    path = tmp_path / name
    path.write_text(HEADER + text, encoding="utf-8")
    return path


def test_it_imports_a_valid_csv(loaded_plan: Any, tmp_path: Path) -> None:
    path = write(
        tmp_path,
        "energy_intensity_decline,beihai,2020,,0.62,吨标准煤/万元,统计公报,\n"
        "energy_intensity_decline,铁山港区,2021,,1.40,吨标准煤/万元,,\n",
    )
    summary = import_observation_file(path)
    assert summary.created == 2
    assert Observation.objects.get(area__code="tieshangang").value == 1.40
    # Importing the same file again changes nothing.
    again = import_observation_file(path)
    assert (again.created, again.updated, again.unchanged) == (0, 0, 2)


@pytest.mark.parametrize(
    ("line", "column", "fragment"),
    [
        ("energy_intensity_decline,beihai,2020,,0.62,万吨标准煤,,", "unit", "万吨标准煤"),
        ("energy_intensity_decline,beihai,2026,,0.62,吨标准煤/万元,,", "year", "2026"),
        ("energy_intensity_decline,beihai,2019,,0.62,吨标准煤/万元,,", "year", "2019"),
        ("energy_intensity_decline,atlantis,2020,,0.62,吨标准煤/万元,,", "area", "atlantis"),
        ("no_such_target,beihai,2020,,0.62,吨标准煤/万元,,", "target", "no_such_target"),
        ("energy_intensity_decline,beihai,2020,,abc,吨标准煤/万元,,", "value", "abc"),
        ("energy_intensity_decline,beihai,2020,5,0.62,吨标准煤/万元,,", "quarter", "5"),
        ("energy_intensity_decline,beihai,2020,,nan,吨标准煤/万元,,", "value", "nan"),
    ],
)
def test_it_names_file_row_and_column_of_each_error(
    loaded_plan: Any, tmp_path: Path, line: str, column: str, fragment: str
) -> None:
    good = "energy_intensity_decline,beihai,2021,,0.60,吨标准煤/万元,,\n"
    path = write(tmp_path, good + line + "\n")
    with pytest.raises(ObservationImportError) as info:
        import_observation_file(path)
    [error] = info.value.errors
    assert (error.file, error.row, error.column) == (str(path), 3, column)
    assert fragment in error.message
    # Nothing was written, not even the good first row.
    assert Observation.objects.count() == 0


def test_a_file_with_errors_does_not_touch_stored_values(loaded_plan: Any, tmp_path: Path) -> None:
    import_observation_file(
        write(tmp_path, "energy_intensity_decline,beihai,2021,,0.60,吨标准煤/万元,,\n")
    )
    bad = write(
        tmp_path,
        "energy_intensity_decline,beihai,2021,,0.99,吨标准煤/万元,,\n"
        "energy_intensity_decline,beihai,2022,,x,吨标准煤/万元,,\n",
        name="bad.csv",
    )
    with pytest.raises(ObservationImportError):
        import_observation_file(bad)
    assert Observation.objects.get().value == 0.60


def test_duplicate_rows_in_one_file_are_an_error(loaded_plan: Any, tmp_path: Path) -> None:
    row = "energy_intensity_decline,beihai,2021,,0.60,吨标准煤/万元,,\n"
    with pytest.raises(ObservationImportError, match="第 2 行"):
        import_observation_file(write(tmp_path, row + row))


def test_it_reads_xlsx(loaded_plan: Any) -> None:
    workbook = Workbook()
    sheet = workbook.active
    sheet.append(HEADER.strip().split(","))
    sheet.append(["energy_intensity_decline", "hepu", 2022, None, 0.45, "吨标准煤/万元", "", ""])
    buffer = io.BytesIO()
    workbook.save(buffer)
    summary = import_observations("obs.xlsx", read_table("obs.xlsx", buffer.getvalue()))
    assert summary.created == 1


@pytest.mark.parametrize(
    ("name", "content", "fragment"),
    [
        ("obs.xlsx", b"not a zip file", "Excel"),
        ("obs.txt", b"x", ".txt"),
        ("obs.csv", b"\xff\xfe\x00garbage", "UTF-8"),
        ("obs.csv", b"target,area\n", "year"),
        ("obs.csv", b"", "空"),
    ],
)
def test_malformed_files_get_a_clear_error(
    loaded_plan: Any, name: str, content: bytes, fragment: str
) -> None:
    with pytest.raises(ObservationImportError, match=fragment):
        import_observations(name, read_table(name, content))
