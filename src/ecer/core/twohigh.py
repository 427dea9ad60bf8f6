"""Two-high (“两高”) classification of projects from rules kept as data.

Plan 四(三): every project under construction, planned or built that is 高耗能高排放低水平
is evaluated, listed (工作清单) and given a disposal decision. Which projects count as two-high
is decided by the ordered rules of ``data/two_high_rules.yaml`` (the file cites what each rule
rests on): the first rule whose industry condition and energy threshold a project meets
classifies it, and the result names that rule.

A rule's ``min_energy_tce`` is a number, or ``key_unit_threshold``: the plan's threshold for
key energy-consuming units (Beihai 三(一), rule ``key_energy_unit_threshold`` of the plan
file), which the caller passes to :func:`load_rules`/:func:`parse_rules`; a plan value is never
repeated in this package. ``{key_unit_threshold}`` in a rule's name is replaced by it.

Industry codes are GB/T 4754-2017 codes of any depth (``"2511"`` 原油加工及石油制品制造, its
division ``"25"``); energy is the project's annual comprehensive energy consumption [tce],
electricity at its equivalent value (the basis of the 节能审查 thresholds).
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass
from importlib.resources import files
from types import MappingProxyType
from typing import Any

import yaml

__all__ = [
    "Classification",
    "Rule",
    "RuleSet",
    "RulesError",
    "classify",
    "load_rules",
    "parse_rules",
]

RULES_FILE = "two_high_rules.yaml"
PLAN_THRESHOLD = "key_unit_threshold"
"""Value of ``min_energy_tce`` that stands for the plan's key-unit threshold [tce]."""


class RulesError(ValueError):
    """The rules file is malformed; the message names the file and the field."""


@dataclass(frozen=True)
class Rule:
    """One classification rule.

    code: Stable identifier stored with a classified project.
    two_high: Whether a project matching this rule is two-high.
    industry_in_list: The rule applies to projects in (True) or outside (False) the list.
    min_energy_tce: Lowest annual comprehensive energy consumption it applies to [tce].
    name: Chinese description shown on pages.
    source: What the rule rests on.
    """

    code: str
    two_high: bool
    industry_in_list: bool
    min_energy_tce: float
    name: str
    source: str


@dataclass(frozen=True)
class RuleSet:
    """The industry list and the ordered rules.

    divisions: GB/T 4754-2017 division code -> Chinese name of the listed industries.
    industries_source: What the list rests on.
    rules: In order; the first match wins.
    """

    divisions: Mapping[str, str]
    industries_source: str
    rules: tuple[Rule, ...]


@dataclass(frozen=True)
class Classification:
    """The outcome for one project.

    two_high: Classified two-high.
    rule: The rule that decided it.
    division: The project's GB/T 4754 division (first two digits).
    division_name: Name of the listed industry, or "" when not listed.
    """

    two_high: bool
    rule: Rule
    division: str
    division_name: str


def _field(raw: Mapping[str, Any], name: str, kind: type, origin: str, where: str) -> Any:
    if name not in raw:
        raise RulesError(f"{origin}: {where}: missing field {name!r}")
    value = raw[name]
    if kind is float and isinstance(value, int) and not isinstance(value, bool):
        value = float(value)
    if not isinstance(value, kind):
        raise RulesError(f"{origin}: {where}.{name}: expected {kind.__name__}, got {value!r}")
    return value


def _threshold(
    item: Mapping[str, Any], key_unit_threshold_tce: float | None, origin: str, where: str
) -> float:
    if item.get("min_energy_tce") != PLAN_THRESHOLD:
        return float(_field(item, "min_energy_tce", float, origin, where))
    if key_unit_threshold_tce is None:
        raise RulesError(
            f"{origin}: {where}.min_energy_tce: {PLAN_THRESHOLD} needs the plan's key-unit "
            "threshold (pass key_unit_threshold_tce)"
        )
    return float(key_unit_threshold_tce)


def _text(
    item: Mapping[str, Any],
    name: str,
    key_unit_threshold_tce: float | None,
    origin: str,
    where: str,
) -> str:
    text = str(_field(item, name, str, origin, where))
    placeholder = "{" + PLAN_THRESHOLD + "}"
    if placeholder not in text:
        return text
    if key_unit_threshold_tce is None:
        raise RulesError(f"{origin}: {where}.{name}: {placeholder} needs the plan's threshold")
    return text.replace(placeholder, f"{key_unit_threshold_tce:g}")


def parse_rules(
    text: str, origin: str = RULES_FILE, *, key_unit_threshold_tce: float | None = None
) -> RuleSet:
    """Parse and check a rules file; raise :class:`RulesError` naming the field at fault.

    key_unit_threshold_tce: The plan's key-unit threshold [tce per year], for the rules whose
        ``min_energy_tce`` is ``key_unit_threshold``.
    """
    try:
        raw = yaml.safe_load(text)
    except yaml.YAMLError as exc:
        raise RulesError(f"{origin}: invalid YAML: {exc}") from exc
    if not isinstance(raw, dict):
        raise RulesError(f"{origin}: top level must be a mapping")
    industries = _field(raw, "industries", dict, origin, "top level")
    divisions = _field(industries, "divisions", dict, origin, "industries")
    for code in divisions:
        if not (isinstance(code, str) and len(code) == 2 and code.isdigit()):
            raise RulesError(f"{origin}: industries.divisions: {code!r} is not a 2-digit division")
    items = _field(raw, "rules", list, origin, "top level")
    if not items:
        raise RulesError(f"{origin}: rules: must not be empty")
    rules = []
    for index, item in enumerate(items):
        where = f"rules[{index}]"
        if not isinstance(item, dict):
            raise RulesError(f"{origin}: {where}: must be a mapping")
        threshold = _threshold(item, key_unit_threshold_tce, origin, where)
        if not (math.isfinite(threshold) and threshold >= 0):
            raise RulesError(f"{origin}: {where}.min_energy_tce: must be >= 0")
        rules.append(
            Rule(
                code=_field(item, "code", str, origin, where),
                two_high=_field(item, "two_high", bool, origin, where),
                industry_in_list=_field(item, "industry_in_list", bool, origin, where),
                min_energy_tce=threshold,
                name=_text(item, "name", key_unit_threshold_tce, origin, where),
                source=_text(item, "source", key_unit_threshold_tce, origin, where),
            )
        )
    codes = [r.code for r in rules]
    if len(set(codes)) != len(codes):
        raise RulesError(f"{origin}: rules: duplicate codes in {codes}")
    for listed in (True, False):
        if not any(r.industry_in_list is listed and r.min_energy_tce == 0 for r in rules):
            raise RulesError(
                f"{origin}: rules: no catch-all rule (min_energy_tce 0) for "
                f"industry_in_list={listed}; some projects would not be classified"
            )
    return RuleSet(
        divisions=MappingProxyType({str(k): str(v) for k, v in divisions.items()}),
        industries_source=str(industries.get("source", "")),
        rules=tuple(rules),
    )


def load_rules(key_unit_threshold_tce: float) -> RuleSet:
    """The packaged rules, ``ecer/core/data/two_high_rules.yaml``, with the plan's key-unit
    threshold [tce per year] (Beihai 三(一): 5000)."""
    resource = files("ecer.core").joinpath("data", RULES_FILE)
    return parse_rules(
        resource.read_text(encoding="utf-8"), key_unit_threshold_tce=key_unit_threshold_tce
    )


def classify(industry_code: str, energy_tce: float, rules: RuleSet) -> Classification:
    """Classify a project by its industry and its annual energy consumption.

    industry_code: GB/T 4754-2017 code, at least the two digits of the division.
    energy_tce: Annual comprehensive energy consumption [tce], electricity at equivalent value.
    rules: The rules (``load_rules`` with the plan's threshold).
    """
    code = industry_code.strip()
    if len(code) < 2 or not code[:2].isdigit():
        raise ValueError(f"industry code must start with a 2-digit GB/T 4754 division: {code!r}")
    if not (math.isfinite(energy_tce) and energy_tce >= 0):
        raise ValueError(f"energy must be >= 0 tce, got {energy_tce}")
    division = code[:2]
    listed = division in rules.divisions
    for rule in rules.rules:
        # Rules in order: the first whose industry condition and threshold hold decides.
        if rule.industry_in_list is listed and energy_tce >= rule.min_energy_tce:
            return Classification(rule.two_high, rule, division, rules.divisions.get(division, ""))
    raise AssertionError("parse_rules guarantees a catch-all rule")  # pragma: no cover
