"""The assessment scheme on forms: every rule of ``ecer.core.assessment``'s scheme shows beside
its field and stores nothing, the preview is the reports page's assessment under both schemes,
a save is a new version, and only a city administrator sees or posts the form."""

from __future__ import annotations

from typing import Any

import pytest

from ecer.core import assessment as core

pytestmark = pytest.mark.django_db

URL = "/reports/scheme/"


def form_data(scheme: dict[str, Any], base: int = 1, **options: Any) -> dict[str, Any]:
    """What the browser posts for ``scheme`` (``Scheme.as_dict`` form), with ``options``."""
    post: dict[str, Any] = {"base": base, "year": 2024, "note": "", "action": "preview"}
    for key in ("basic_min", "completed_min", "exceeded_min"):
        post[key] = scheme[key]
    for key in ("intensity_zero_share", "total_zero_over_pct", "incentive_bonus"):
        post[key] = scheme[key]
    if scheme["intensity_veto"]:
        post["intensity_veto"] = "on"
    indicators, items = scheme["indicators"], scheme["items"]
    post |= {"ind-TOTAL_FORMS": len(indicators), "ind-INITIAL_FORMS": len(indicators)}
    for k, ind in enumerate(indicators):
        post |= {f"ind-{k}-{key}": ind[key] for key in ("code", "name_zh", "weight")}
    post |= {"item-TOTAL_FORMS": len(items) + 1, "item-INITIAL_FORMS": len(items)}
    for k, item in enumerate(items):
        post |= {f"item-{k}-{key}": item[key] for key in ("code", "name_zh", "kind", "points")}
    post |= {f"item-{len(items)}-{key}": "" for key in ("code", "name_zh", "kind", "points")}
    return post | options


@pytest.fixture
def scheme(reports_demo: Any) -> dict[str, Any]:
    from ecer.web.reports import services

    return services.current_scheme_version().data


def _versions() -> int:
    from ecer.web.reports.models import SchemeVersion

    return SchemeVersion.objects.count()


def test_the_form_shows_no_json_and_the_indicators_by_their_chinese_names(
    scheme: Any, admin_client: Any
) -> None:
    from tests.web.test_no_english import VisibleText, english_words

    html = admin_client.get(URL).content.decode()
    parser = VisibleText()
    parser.feed(html)
    assert "<textarea" not in html
    assert english_words(" ".join(parser.parts), frozenset({"boss"})) == []
    assert core.IndicatorCode.TASKS.label_zh in html
    assert "超额完成最低分" in html and "否决项" in html


@pytest.mark.parametrize(
    ("change", "field", "message"),
    [
        ({"ind-0-weight": 45}, None, "各指标权重合计须为 100 分，现为 105 分"),
        ({"ind-1-weight": -5, "ind-0-weight": 60}, ("ind", 1, "weight"), "权重必须是非负数"),
        ({"completed_min": 50}, "completed_min", "0 < 基本完成 < 完成 < 超额完成"),
        ({"exceeded_min": 80}, "exceeded_min", "0 < 基本完成 < 完成 < 超额完成"),
        ({"basic_min": 0}, "basic_min", "0 < 基本完成 < 完成 < 超额完成"),
        ({"intensity_zero_share": 1}, "intensity_zero_share", "须在 0 到 1 之间"),
        ({"total_zero_over_pct": 0}, "total_zero_over_pct", "须大于 0"),
        ({"incentive_bonus": -1}, "incentive_bonus", "不能为负数"),
        ({"item-2-points": 0}, ("item", 2, "points"), "分值须为正数"),
        ({"item-3-points": ""}, ("item", 3, "points"), "分值须为正数"),
        ({"ind-2-weight": "二十"}, ("ind", 2, "weight"), "输入一个数字"),
    ],
)
def test_each_rule_of_the_scheme_shows_on_its_field_and_stores_nothing(
    scheme: Any, admin_client: Any, change: dict[str, Any], field: Any, message: str
) -> None:
    for action in ("preview", "save"):
        response = admin_client.post(URL, form_data(scheme, action=action, **change))
        assert response.status_code == 200
        editor = response.context["editor"]
        if field is None:
            errors = list(editor.indicators.non_form_errors())
        elif isinstance(field, tuple):
            part, index, key = field
            forms = editor.indicators.forms if part == "ind" else editor.items.forms
            errors = forms[index].errors.get(key, [])
        else:
            errors = editor.form.errors.get(field, [])
        assert any(message in e for e in errors), (errors, editor.form.errors)
        html = response.content.decode()
        assert "方案有误，未保存" in html and message in html
        assert "scheme-save" not in html and "scheme-preview" not in html
    assert _versions() == 1


def test_the_preview_scores_each_district_under_both_schemes(
    scheme: Any, admin_client: Any, reports_demo: Any
) -> None:
    from ecer.web.reports import services
    from tests.web.test_no_english import VisibleText, english_words

    weights = {"ind-0-weight": 70, "ind-1-weight": 0, "ind-2-weight": 10, "ind-3-weight": 20}
    response = admin_client.post(URL, form_data(scheme, **weights))
    comparison = response.context["comparison"]
    pairs = zip(scheme["indicators"], weights.values(), strict=True)
    proposed = core.scheme_from_dict(scheme | {"indicators": [i | {"weight": w} for i, w in pairs]})
    by_area = {a.area.code: a for a in services.assess_year(2024, reports_demo, proposed)}
    now = {
        a.area.code: a
        for a in services.assess_year(2024, reports_demo, core.scheme_from_dict(scheme))
    }
    assert len(comparison) == len(by_area) > 1
    for row in comparison:
        assert row.proposed.score == by_area[row.area.code].result.score
        assert row.current.score == now[row.area.code].result.score
    changed = next(r for r in comparison if r.score_change)
    html = response.content.decode()
    row = html.split(f'data-area="{changed.area.code}"')[1].split("</tr>")[0]
    assert f"{by_area[changed.area.code].result.score:.2f}" in row
    assert f"{changed.proposed.score - changed.current.score:.2f}" in row
    assert 'id="scheme-save"' in html and _versions() == 1
    parser = VisibleText()
    parser.feed(html)
    assert english_words(" ".join(parser.parts), frozenset({"boss"})) == []


def test_save_creates_a_version_with_who_and_why_and_the_reports_page_uses_it(
    scheme: Any, admin_client: Any
) -> None:
    from ecer.web.reports.models import SchemeVersion

    post = form_data(
        scheme,
        action="save",
        note="强度 45 分",
        **{
            "ind-0-weight": 45,
            "ind-1-weight": 10,
            "item-4-name_zh": "新增示范",
            "item-4-kind": "bonus",
            "item-4-points": 1,
        },
    )
    post["item-0-DELETE"] = "on"
    response = admin_client.post(URL, post)
    assert response.status_code == 302
    saved = SchemeVersion.objects.get(number=2)
    assert (saved.note, saved.created_by.username) == ("强度 45 分", "boss")
    assert saved.data["indicators"][0]["weight"] == 45
    codes = [i["code"] for i in saved.data["items"]]
    assert "two_high_violation" not in codes and codes[-1] == "item_1"
    assert saved.data["items"][-1]["name_zh"] == "新增示范"
    assert SchemeVersion.objects.get(number=1).data == scheme  # the old version is kept
    page = admin_client.get(URL).content.decode()
    assert "第 2 版" in page and "强度 45 分" in page and "boss" in page
    html = admin_client.get("/reports/?year=2024").content.decode()
    assert "考核方案第 2 版" in html and "45 分" in html


def test_a_form_opened_on_an_older_version_does_not_overwrite_a_newer_one(
    scheme: Any, admin_client: Any
) -> None:
    from ecer.web.reports import services

    services.save_scheme(scheme, "他人修改", None)
    response = admin_client.post(URL, form_data(scheme, base=1, action="save"))
    assert "已被他人保存为第 2 版" in response.content.decode()
    assert _versions() == 2


@pytest.mark.parametrize("role", ["leader", "department", "district", "enterprise"])
def test_only_a_city_administrator_sees_or_posts_the_scheme(
    scheme: Any, client: Any, django_user_model: Any, role: str
) -> None:
    from ecer.web.catalog.models import Area, Department
    from tests.web.accounts.conftest import make_user

    membership: dict[str, Any] = {"role": role}
    if role == "district":
        membership["area"] = Area.objects.get(code="haicheng")
    if role == "department":
        membership["department"] = Department.objects.first()
    if role == "enterprise":
        membership["enterprise_code"] = "91450521MA5HP0040E"
    client.force_login(make_user(django_user_model, f"u_{role}", **membership))
    assert client.get(URL).status_code == 403
    post = form_data(scheme, action="save", **{"ind-0-weight": 45, "ind-1-weight": 10})
    assert client.post(URL, post).status_code == 403
    assert _versions() == 1
