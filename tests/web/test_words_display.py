"""Words on pages (issue #22 item 4): signed changes as 下降/上升 x %, units as people write
them, integers without decimals, data versions and model names in Chinese."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from django.utils import translation

from ecer.web.catalog.templatetags import ecer_tags

pytestmark = pytest.mark.django_db


def test_a_decline_reads_as_down_and_a_negative_decline_as_up() -> None:
    # Issue example: "累计下降 −7.81" — a rise shown as a negative decline.
    assert ecer_tags.decline(-7.8123) == "上升 7.81%"
    assert ecer_tags.decline(13.5) == "下降 13.5%"
    assert ecer_tags.decline(0.001) == "持平"
    assert ecer_tags.decline(None) == "—"
    assert ecer_tags.signed_change(-2.5, 1) == "下降 2.5%"
    with translation.override("en"):
        assert ecer_tags.decline(-7.8123) == "up 7.81%"


def test_an_excess_is_shown_without_a_minus_sign() -> None:
    # Issue example: "超出 −808,019": the word says the direction, the figure its size.
    assert ecer_tags.num(ecer_tags.magnitude(-808_019.4), 0) == "808,019"


def test_units_are_written_as_people_write_them() -> None:
    assert ecer_tags.unit_zh("10^4 kWh") == "万千瓦时"
    assert ecer_tags.unit_zh("10^8 m3") == "亿立方米"
    assert ecer_tags.unit_zh("t") == "t"  # a plain symbol people know stays


def test_unit_choices_show_chinese_for_powers_of_ten() -> None:
    from ecer.web.energy.models import UNIT_CHOICES, unit_label

    labels = dict(UNIT_CHOICES)
    assert labels["10^4 kWh"] == "万千瓦时"  # the stored code is unchanged
    assert labels["kWh"] == "千瓦时（kWh）"
    assert unit_label("10^8 kWh") == "亿千瓦时"
    assert not any("^" in label for label in labels.values())


def test_counts_are_integers_without_decimals() -> None:
    # Issue example: counts printed as "23.0".
    assert ecer_tags.num(23.0) == "23"
    assert ecer_tags.num(23.50) == "23.5"


def test_the_data_version_is_written_for_people(settings: object) -> None:
    stamp = "v2009@20261205T220815Z"
    shown = ecer_tags.data_version(stamp)
    local = datetime(2026, 12, 5, 22, 8, 15, tzinfo=UTC)
    from django.utils import timezone

    assert shown == f"2009（{timezone.localtime(local):%Y-%m-%d %H:%M}）"
    assert "v" not in shown and "@" not in shown
    assert ecer_tags.data_version("v0@empty") == "0"


def test_model_labels_show_their_chinese_names() -> None:
    from ecer.web.catalog.models import Area

    assert ecer_tags.model_name("catalog.area") == str(Area._meta.verbose_name) == "行政区域"
    assert ecer_tags.model_name("no.such") == "no.such"


def test_records_without_their_own_name_are_named_in_chinese() -> None:
    from ecer.web.reductions.models import ReductionLine, ReductionProject

    project = ReductionProject(name="海城区减排项目")
    line = ReductionLine(project=project, pollutant="w01018")
    assert "object" not in str(line) and str(line).startswith("海城区减排项目 · ")


def test_budget_headroom_says_gap_or_headroom_without_a_minus_sign() -> None:
    from ecer.web.projects.services import headroom_text

    assert headroom_text(-263_019.4) == "缺口 263,019 吨标准煤"
    assert headroom_text(12_000) == "余量 12,000 吨标准煤"


def test_an_unchanged_warning_level_still_names_the_budget_lost() -> None:
    # Issue example: "批准不改变预警等级" while the budget gap grows by 275 k tce.
    from types import SimpleNamespace

    from ecer.web.projects.services import _no_level_change

    def effect(name: str, before: float, after: float) -> SimpleNamespace:
        years = lambda tce: SimpleNamespace(years=[SimpleNamespace(headroom_tce=tce)])  # noqa: E731
        review = SimpleNamespace(baseline=years(before), applicable=years(after))
        return SimpleNamespace(area=SimpleNamespace(name=name), review=review)

    text = _no_level_change([effect("铁山港区", -100_000, -375_000), effect("北海市", 0, -9)])
    assert (
        text
        == "批准该项目不改变铁山港区、北海市的预警等级，但用能预算余量最多减少 275,000 吨标准煤"
    )
    assert _no_level_change([effect("海城区", 5, 5)]) == "批准该项目不改变海城区的预警等级"


def test_every_accounting_term_has_a_hover_explanation_and_a_help_entry(
    admin_client: object,
) -> None:
    from ecer.web.catalog.terms import TERMS

    for name in ["考核口径", "总量口径", "时序进度", "单列", "原料用能"]:
        html = ecer_tags.term(name)
        assert 'class="term"' in html and 'title="' in html and f">{name}</a>" in html
    page = admin_client.get("/help/terms/").content.decode()  # type: ignore[attr-defined]
    for key, (label, explanation) in TERMS.items():
        assert f'id="{key}"' in page and str(label) in page and str(explanation) in page


def test_a_closed_finding_is_named_by_its_rule_in_chinese() -> None:
    from ecer.core import reductions as core
    from ecer.web.reductions.models import FindingClosure

    closure = FindingClosure(finding_key="RD-DOUBLE-SOURCE:12+13:w01018:2024")
    assert closure.finding_title == core.DOUBLE_COUNT_SOURCE.title_zh
    assert "RD-" not in closure.finding_title


def test_periods_are_written_as_people_write_them() -> None:
    assert ecer_tags.period("2025Q4") == "2025 年第 4 季度"
    assert ecer_tags.period("2025") == "2025 年"
    with translation.override("en"):
        assert ecer_tags.period("2025Q4") == "Q4 2025"


def test_an_observation_is_named_by_target_and_area_names_not_codes(demo_data: object) -> None:
    from ecer.web.catalog.models import Observation

    observation = Observation.objects.select_related("target", "area").first()
    assert observation is not None
    text = str(observation)
    assert observation.target.code not in text and observation.target.name in text
    assert observation.area.name in text
