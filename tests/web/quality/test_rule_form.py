"""The data-quality rules on forms: every rule of the rules' loader shows beside its field and
stores nothing, the preview counts each rule's findings as the quality service does, a save
is a new version, and only a city administrator sees or posts the form."""

from __future__ import annotations

from typing import Any

import pytest

from ecer.web.quality import services
from ecer.web.quality.models import RuleSetVersion

pytestmark = pytest.mark.django_db

URL = "/quality/rules/"
RECONCILE = "ENT-ONLINE-RECONCILE"


def _rules() -> list[dict[str, Any]]:
    return list(services.active_rule_set().data["rules"])


def _index(code: str) -> int:
    return next(k for k, r in enumerate(_rules()) if r["code"] == code)


def form_data(base: int = 1, action: str = "preview", **changes: Any) -> dict[str, Any]:
    """What the browser posts for the rules in force, with ``changes`` (``rule-3-maximum``)."""
    rules = _rules()
    post: dict[str, Any] = {"base": base, "note": "", "action": action}
    post |= {"rule-TOTAL_FORMS": len(rules), "rule-INITIAL_FORMS": len(rules)}
    for k, rule in enumerate(rules):
        post |= {f"rule-{k}-{key}": rule[key] for key in ("code", "name", "severity")}
        for key, value in rule["condition"].items():
            if key not in ("kind", "field", "unit") and not isinstance(value, list | str):
                post[f"rule-{k}-{key}"] = value
    return post | changes


def _english(html: str) -> list[str]:
    from tests.web.test_no_english import VisibleText, english_words

    parser = VisibleText()
    parser.feed(html)
    return english_words(" ".join(parser.parts), frozenset({"reviewer"}))


def test_the_form_shows_no_yaml_and_no_codes(cement: Any, reviewer_client: Any) -> None:
    from tests.web.test_no_english import VisibleText

    html = reviewer_client.get(URL).content.decode()
    parser = VisibleText()
    parser.feed(html)
    assert "<textarea" not in html
    assert _english(html) == []
    # A target by its name in the plan, not its code.
    assert "目标监测值（" in html and "energy_intensity_decline" not in " ".join(parser.parts)
    assert "错误（不得审核通过）" in html and "允许偏差（%）" in html


@pytest.mark.parametrize(
    ("rule", "change", "field", "message"),
    [
        ("OBS-INTENSITY-RANGE", {"minimum": 6}, "minimum", "下限 6 高于上限 5"),
        ("OBS-INTENSITY-RANGE", {"minimum": "", "maximum": ""}, "minimum", "至少要有下限或上限"),
        ("DIST-GDP-INDEX-BAND", {"lower": 120}, "lower", "指数下限 120 高于上限 115"),
        (RECONCILE, {"tolerance_pct": -1}, "tolerance_pct", "不能为负数，现为 -1"),
        (RECONCILE, {"tolerance_pct": ""}, "tolerance_pct", "必须填写"),
        ("ENT-YOY-ENERGY", {"max_change_pct": -5}, "max_change_pct", "不能为负数"),
        ("ONL-COMPLETENESS", {"min_share_pct": 120}, "min_share_pct", "不能大于 100"),
        ("DIST-INTENSITY-RECOMPUTED", {"factor": 0}, "factor", "须大于 0"),
        ("ENT-REQ-CODE", {"name": "  "}, "name", "这个字段是必填项"),
        ("ENT-REQ-CODE", {"severity": "fatal"}, "severity", "选择一个有效的选项"),
        (RECONCILE, {"tolerance_pct": "五"}, "tolerance_pct", "输入一个数字"),
    ],
)
def test_each_rule_of_the_loader_shows_on_its_field_and_stores_nothing(
    cement: Any,
    reviewer_client: Any,
    rule: str,
    change: dict[str, Any],
    field: str,
    message: str,
) -> None:
    k = _index(rule)
    for action in ("preview", "save"):
        post = form_data(action=action, **{f"rule-{k}-{key}": v for key, v in change.items()})
        response = reviewer_client.post(URL, post)
        assert response.status_code == 200
        form = response.context["editor"].rules.forms[k]
        assert any(message in e for e in form.errors.get(field, [])), form.errors
        html = response.content.decode()
        assert "规则有误，未保存" in html and message in html
        assert "rule-save" not in html and "rule-preview" not in html
    assert RuleSetVersion.objects.count() == 1


def test_the_preview_counts_each_rules_findings_as_the_quality_service(
    cement: Any, reviewer_client: Any
) -> None:
    k = _index(RECONCILE)
    response = reviewer_client.post(URL, form_data(**{f"rule-{k}-tolerance_pct": 10}))
    effects = {e.code: e for e, _applies_to in response.context["effects"]}
    rules = _rules()
    rules[k]["condition"]["tolerance_pct"] = 10
    now, then = services.count_findings(
        [services.active_rule_set().rule_set(), services.edited_rule_set(rules)]
    )
    assert now[RECONCILE] >= 1 and then[RECONCILE] == now[RECONCILE] - 1  # the cement's 8 %
    assert (effects[RECONCILE].current, effects[RECONCILE].proposed) == (
        now[RECONCILE],
        then[RECONCILE],
    )
    assert effects[RECONCILE].change == -1
    html = response.content.decode()
    row = html.split(f'data-rule="{k + 1}"')[1].split("</tr>")[0]
    assert "上报能耗与在线监测数据一致" in row and f">{then[RECONCILE]}<" in row and ">-1<" in row
    assert 'id="rule-save"' in html and RuleSetVersion.objects.count() == 1
    assert _english(html) == []


def test_the_version_and_advanced_pages_show_no_english(cement: Any, reviewer_client: Any) -> None:
    # The crawl of test_no_english.py stops before these pages; they are scanned here.
    version = reviewer_client.get("/quality/rules/1/").content.decode()
    assert "目标监测值（" in version and _english(version) == []
    text = reviewer_client.get("/quality/rules/text/").content.decode()
    assert "<textarea" in text and _english(text) == []


def test_save_creates_a_version_with_who_and_why(cement: Any, reviewer_client: Any) -> None:
    k, gone = _index(RECONCILE), _index("OBS-REQ-SOURCE")
    post = form_data(action="save", note="放宽到 10%", **{f"rule-{k}-tolerance_pct": 10})
    post[f"rule-{gone}-DELETE"] = "on"
    response = reviewer_client.post(URL, post)
    assert response.status_code == 302
    saved = services.active_rule_set()
    assert (saved.version, saved.note, saved.created_by.username) == (2, "放宽到 10%", "reviewer")
    rules = {r["code"]: r for r in saved.data["rules"]}
    assert rules[RECONCILE]["condition"]["tolerance_pct"] == 10
    assert "OBS-REQ-SOURCE" not in rules and len(rules) == len(_rules())
    # The rest is kept as it was, and the old version stays readable.
    old = RuleSetVersion.objects.get(version=1)
    assert rules["ENT-YOY-ENERGY"] == next(
        r for r in old.data["rules"] if r["code"] == "ENT-YOY-ENERGY"
    )
    assert "tolerance_pct: 10" in saved.text  # the advanced editor opens on it
    services.check_record(cement)
    assert services.findings_for(cement).get(rule_code=RECONCILE).status == "resolved"
    page = reviewer_client.get(URL).content.decode()
    assert "默认规则集 第 2 版" in page and "放宽到 10%" in page


def test_a_form_opened_on_an_older_version_does_not_overwrite_a_newer_one(
    cement: Any, reviewer_client: Any
) -> None:
    services.save_rule_data(_rules(), None, note="他人修改")
    response = reviewer_client.post(URL, form_data(base=1, action="save"))
    assert "已被他人保存为默认规则集 第 2 版" in response.content.decode()
    assert RuleSetVersion.objects.count() == 2


@pytest.mark.parametrize("role", ["leader", "department", "district", "enterprise"])
@pytest.mark.parametrize("url", [URL, "/quality/rules/text/"])
def test_only_a_city_administrator_sees_or_posts_the_rules(
    cement: Any, client: Any, django_user_model: Any, role: str, url: str
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
    assert client.get(url).status_code == 403
    post = form_data(action="save", **{"rule-0-name": "改名"}) | {"text": "rules: []"}
    assert client.post(url, post).status_code == 403
    assert RuleSetVersion.objects.count() == 1
