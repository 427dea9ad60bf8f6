from __future__ import annotations

from typing import Any

import pytest

from ecer.plan.loader import default_plan_path, load_plan_file
from ecer.web.audit.version import data_version
from ecer.web.catalog.loading import CatalogLoadError, load_catalog_into_db
from ecer.web.catalog.models import Area, Department, Observation, Plan, Rule, Target, Task

pytestmark = pytest.mark.django_db


def test_it_loads_the_beihai_plan() -> None:
    catalog = load_plan_file(default_plan_path())
    load_catalog_into_db(catalog)
    assert Plan.objects.count() == 1
    assert set(Area.objects.values_list("name", flat=True)) == {
        "北海市",
        "海城区",
        "银海区",
        "铁山港区",
        "合浦县",
    }
    assert Target.objects.count() == len(catalog.targets)
    assert Task.objects.count() == len(catalog.tasks)
    assert Rule.objects.count() == len(catalog.rules)
    intensity = Target.objects.get(code="energy_intensity_decline")
    assert intensity.kind == "decline_pct"
    assert intensity.target_value == 12.5
    assert intensity.section.clause == "二"


def test_it_is_idempotent() -> None:
    catalog = load_plan_file(default_plan_path())
    load_catalog_into_db(catalog)
    counts = [m.objects.count() for m in (Area, Department, Target, Task, Rule)]
    summary = load_catalog_into_db(catalog)
    assert [m.objects.count() for m in (Area, Department, Target, Task, Rule)] == counts
    assert summary.created == {} and summary.updated == {} and summary.deleted == {}


def test_a_failed_load_leaves_the_database_unchanged(loaded_plan: Any) -> None:
    catalog = load_plan_file(default_plan_path())
    target = Target.objects.get(code="energy_intensity_decline")
    area = Area.objects.get(code="beihai")
    Observation.objects.create(target=target, area=area, year=2021, value=0.6)
    # A plan file without that target while observations refer to it: refused as a whole.
    trimmed = catalog.model_copy(
        update={"targets": tuple(t for t in catalog.targets if t.code != target.code)}
    )
    names_before = list(Target.objects.values_list("code", "name"))
    with pytest.raises(CatalogLoadError, match="energy_intensity_decline"):
        load_catalog_into_db(trimmed)
    assert list(Target.objects.values_list("code", "name")) == names_before


def _row_counts() -> dict[str, int]:
    from django.apps import apps

    return {m._meta.label: m._default_manager.count() for m in apps.get_models()}


def test_demo_setup_twice_does_not_duplicate(settings: Any, tmp_path: Any) -> None:
    from ecer.web.catalog.setup import run_setup
    from ecer.web.programmes.models import ProgressEntry, Project

    settings.DATA_DIR = tmp_path
    first = list(run_setup(with_demo=True))
    count = Observation.objects.count()
    rows = _row_counts()
    version = data_version()
    second = list(run_setup(with_demo=True))
    assert count > 100
    # The second run writes nothing: no table gains a row, no history entry bumps the version.
    assert _row_counts() == rows
    assert data_version() == version
    programme_rows = (Project.objects.count(), ProgressEntry.objects.count())
    assert programme_rows[0] == 30
    assert (Project.objects.count(), ProgressEntry.objects.count()) == programme_rows
    # The same demo password is shown both times.
    assert first[-1] == second[-1]
    assert Observation.objects.filter(is_demo=False).count() == 0


def test_the_address_shown_follows_host_and_port(
    settings: Any, tmp_path: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    from ecer.web.catalog.setup import ensure_demo_users

    settings.DATA_DIR = tmp_path
    load_catalog_into_db(load_plan_file(default_plan_path()))
    monkeypatch.setenv("HOST", "0.0.0.0")
    monkeypatch.setenv("PORT", "8123")
    assert "http://0.0.0.0:8123/login/" in next(ensure_demo_users())
