"""The plan's key programmes (重点工程, 三(一)…三(十)) as data: validated strictly, every error
naming the file, path, line and rule."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from ecer.plan.loader import default_plan_path, load_plan_file, validate_plan_file
from tests.plan.helpers import MINIMAL_PLAN, line_of

WritePlan = Callable[[str], Path]

PROGRAMMES = """\
programmes:
  - code: key_area_pollutant_reduction
    name: 重点区域污染物减排工程
    clause: 二
    lead: [eeb]
    co: [drc]
    targets: [cod_reduction]
"""


def test_the_beihai_plan_holds_the_ten_programmes_of_section_three() -> None:
    catalog = load_plan_file(default_plan_path())
    sections = {s.clause: s.title for s in catalog.sections}
    clauses = [f"三({n})" for n in "一二三四五六七八九十"]
    assert [p.clause for p in catalog.programmes] == clauses
    # Each programme is named as its section is titled in the plan text.
    assert [p.name for p in catalog.programmes] == [sections[c] for c in clauses]
    vocs = catalog.programme("vocs_remediation")
    assert vocs.lead == ("ecology_environment",) and vocs.targets == ("vocs_reduction",)
    # 三(七) serves the four 二 key-project reductions.
    assert set(catalog.programme("key_area_pollutant_reduction").targets) == {
        "cod_reduction",
        "nh3n_reduction",
        "nox_reduction",
        "vocs_reduction",
    }


def test_a_valid_programme_loads(write_plan: WritePlan) -> None:
    catalog = load_plan_file(write_plan(MINIMAL_PLAN + PROGRAMMES))
    [programme] = catalog.programmes
    assert programme.targets == ("cod_reduction",) and programme.co == ("drc",)


def test_unknown_references_are_named_with_their_line(write_plan: WritePlan) -> None:
    text = MINIMAL_PLAN + PROGRAMMES.replace("lead: [eeb]", "lead: [nobody]").replace(
        "targets: [cod_reduction]", "targets: [cod_reduction, so2_reduction, cod_reduction]"
    )
    path = write_plan(text)
    errors = {(e.path, e.reason): e.line for e in validate_plan_file(path)}
    assert errors == {
        ("programmes[0].lead[0]", "unknown department 'nobody'"): line_of(text, "lead: [nobody]"),
        ("programmes[0].targets[1]", "unknown target 'so2_reduction'"): line_of(
            text, "so2_reduction"
        ),
        ("programmes[0].targets[2]", "target 'cod_reduction' is listed twice"): line_of(
            text, "so2_reduction"
        ),
    }


def test_a_programme_needs_a_target_a_lead_and_a_known_section(write_plan: WritePlan) -> None:
    text = MINIMAL_PLAN + PROGRAMMES.replace("targets: [cod_reduction]", "targets: []")
    [error] = validate_plan_file(write_plan(text))
    assert error.path == "programmes[0].targets" and "at least 1 item" in error.reason
    text = MINIMAL_PLAN + PROGRAMMES.replace("clause: 二", "clause: 三(十一)")
    [error] = validate_plan_file(write_plan(text))
    assert (error.path, error.reason) == ("programmes[0].clause", "unknown section '三(十一)'")
    text = MINIMAL_PLAN + PROGRAMMES.replace("    co: [drc]\n", "    co: [eeb]\n")
    [error] = validate_plan_file(write_plan(text))
    assert (error.path, error.reason) == ("programmes[0].co", "also listed as lead: eeb")
    text = MINIMAL_PLAN + PROGRAMMES + "    budget: 100\n"
    [error] = validate_plan_file(write_plan(text))
    assert error.path == "programmes[0].budget" and "Extra inputs" in error.reason


def test_two_programmes_may_not_share_a_code_or_a_section(write_plan: WritePlan) -> None:
    second = PROGRAMMES.split("\n", 1)[1]
    text = MINIMAL_PLAN + PROGRAMMES + second
    reasons = sorted(e.reason for e in validate_plan_file(write_plan(text)))
    assert reasons == [
        "duplicate code 'key_area_pollutant_reduction'",
        "section '二' is already the programme key_area_pollutant_reduction",
    ]
