"""The plan catalog schema: a city plan's targets, tasks and rules as validated data.

Every model is frozen and rejects unknown fields. ``PlanCatalog`` is the whole file; its
validator cross-checks references (department codes, section clauses, area parents) and
uniqueness of codes. The loader (``ecer.plan.loader``) reports every error with its YAML line.

Target kinds — what the numbers mean (the rest of the platform relies on this):

- ``level_at_least`` / ``level_at_most``: observations are the indicator level (in
  ``indicator_unit``); ``target_value`` is the level to reach by ``target_year`` (at least /
  at most). Example: 绿色出行比例达70% — observations are the yearly share [%].
- ``decline_pct``: ``target_value`` is the decline of the level from ``base_year`` [%],
  ``0 < target_value < 100``; observations are levels in ``indicator_unit`` (e.g. 吨标准煤/万元).
  Required level = base level * (1 - target_value / 100).
- ``cumulative_increase``: ``target_value`` is the total increase over the period
  (新增…, 重点工程减排量…); observations are the cumulative amount since ``base_year``.
- ``count_at_least``: a count (家, 个) to reach by ``target_year``; observations are the count.
- ``full_coverage``: a coverage share to bring to 100 [%]; ``target_value`` is always 100.
- ``elimination``: observations are the count remaining (台, 个); ``target_value`` is always 0.

``threshold`` / ``threshold_unit`` on a target hold the number that defines what is counted,
not the goal: 10 [蒸吨/小时] for "10蒸吨/小时及以下燃煤锅炉", 65 [%] for "65%节能标准".

``applies_to_districts`` is true only where the plan itself breaks the figure down by
县(区) (dual control targets of 四(一), facilities "各县（区）…全覆盖", "县区建成区…").

Departments: ``lead`` and ``co`` (department codes) follow the clause's parenthesised
list. Where the list says 牵头, those are the leads; otherwise the first-named body is the
lead (the drafting convention of such lists) and the rest are co-responsible, except where a
sentence is plainly the job of another listed body (mixed-subject clauses such as 三(七), 四(七):
the irrigation districts are 水利局's, VOCs online monitoring 生态环境局's). 三(一) adds
"以下均需各县区人民政府负责，不再列出": this catalog records ``county_governments`` in the
``co`` list of every target and task from 三(一) on, and on the 二 targets (五(一):
全市各级人民政府对本行政区域节能减排工作负总责).

Feeds: ``feed`` says how a target's figure is obtained. ``reported`` (the default): a
department or district reports it (an observation, reviewed). Any other feed names the module
that computes it from its own accounts, and its figure is never typed by hand:
``energy.intensity`` and ``energy.total`` (the dual-control accounts, 四(一)),
``carbon.intensity`` (the CO2 accounts), ``reductions.<pollutant>`` (verified key reduction
projects, 四(二)), ``enterprises.benchmark_share`` (the enterprise registry's production units
against the 2021 benchmark levels), ``registers.<register>`` (a register (台账) of the things
the target counts — boilers to eliminate, outlets to rectify, piles to build — declared in the
``registers`` section). ``FEED_KINDS`` lists each feed (a register feed by its family,
``registers``) with the target kinds it can supply.

Registers: each entry of ``registers`` declares one kind of register (台账): what an item is
(``item``: 锅炉, 排口…), how its size is given (``size_label`` in ``size_unit``) and what the
target counts (``measure``: ``count`` — the items; ``size`` — the sum of their sizes, e.g. the
piles of charging stations; an elimination target counts items). At most one target is fed by
a register; a register without a target (e.g. a 三(四) fleet renewal) is a work list only.

Wording: ``wording`` is ``firm`` (达到, 以上), ``strive`` (力争, 争取), ``about`` (左右) or
``basically`` (基本); ``strict`` marks "超过" (strictly above); ``every_year`` marks
"稳定在…以上" (due in every year). ``ecer.core.progress`` judges each as documented there.

Programmes: each entry of ``programmes`` is one of the plan's key programmes (重点工程, the
sections 三(一)…三(十)): its ``clause`` (a section of the file), its ``lead`` and ``co``
departments (as for targets), and the codes of the ``targets`` it serves (at least one, each a
target of the file, none twice). Projects are filed under a programme by its code.

Rules: ``parameters`` maps names to plain values; a name carries its unit as a suffix
(``threshold_tce_per_year``). A parameter named ``targets`` lists target codes and is checked.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from enum import StrEnum
from typing import Annotated, Literal

from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    ValidationInfo,
    field_validator,
    model_validator,
)

Code = Annotated[str, Field(pattern=r"^[a-z][a-z0-9_]*$", max_length=80)]
Clause = Annotated[str, Field(min_length=1, max_length=20)]
Year = Annotated[int, Field(ge=1949, le=2100)]
NonEmpty = Annotated[str, Field(min_length=1)]

# A location inside the catalog, as pydantic reports it: ("targets", 12, "kind").
Loc = tuple[str | int, ...]

RuleValue = bool | int | float | str | tuple[str, ...]


class _Frozen(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class AreaKind(StrEnum):
    CITY = "city"
    DISTRICT = "district"
    COUNTY = "county"


class TargetKind(StrEnum):
    LEVEL_AT_LEAST = "level_at_least"
    LEVEL_AT_MOST = "level_at_most"
    DECLINE_PCT = "decline_pct"
    CUMULATIVE_INCREASE = "cumulative_increase"
    COUNT_AT_LEAST = "count_at_least"
    FULL_COVERAGE = "full_coverage"
    ELIMINATION = "elimination"


class Wording(StrEnum):
    FIRM = "firm"
    STRIVE = "strive"
    ABOUT = "about"
    BASICALLY = "basically"


# Each computed feed and the target kinds it can supply (see the module docstring).
FEED_KINDS: dict[str, frozenset[TargetKind]] = {
    "energy.intensity": frozenset({TargetKind.DECLINE_PCT}),
    "energy.total": frozenset({TargetKind.LEVEL_AT_MOST}),
    "carbon.intensity": frozenset({TargetKind.DECLINE_PCT}),
    "reductions.cod": frozenset({TargetKind.CUMULATIVE_INCREASE}),
    "reductions.nh3n": frozenset({TargetKind.CUMULATIVE_INCREASE}),
    "reductions.nox": frozenset({TargetKind.CUMULATIVE_INCREASE}),
    "reductions.vocs": frozenset({TargetKind.CUMULATIVE_INCREASE}),
    "enterprises.benchmark_share": frozenset({TargetKind.LEVEL_AT_LEAST}),
    # The family of ``registers.<register>`` feeds: remaining items, items built, sizes added.
    "registers": frozenset(
        {TargetKind.ELIMINATION, TargetKind.COUNT_AT_LEAST, TargetKind.CUMULATIVE_INCREASE}
    ),
}
REPORTED = "reported"
REGISTER_FEED = "registers"


def feed_family(feed: str) -> str:
    """The ``FEED_KINDS`` key of a feed: ``registers`` for ``registers.<register>``."""
    family, _dot, _rest = feed.partition(".")
    return REGISTER_FEED if family == REGISTER_FEED else feed


def feed_register(feed: str) -> str | None:
    """The register code of a ``registers.<register>`` feed, else None."""
    family, dot, rest = feed.partition(".")
    return rest if family == REGISTER_FEED and dot else None


class PlanInfo(_Frozen):
    """The plan itself.

    code: Stable identifier, e.g. ``beihai-2021-2025``.
    area: Code of the area the plan covers (the city).
    source: Document title / 文号 as the text gives it.
    """

    code: Annotated[str, Field(pattern=r"^[a-z][a-z0-9-]*$")]
    name: NonEmpty
    issuer: NonEmpty
    area: Code
    base_year: Year
    target_year: Year
    source: NonEmpty
    note: str | None = None

    @field_validator("target_year")
    @classmethod
    def _target_after_base(cls, value: int, info: ValidationInfo) -> int:
        base = info.data.get("base_year")
        if base is not None and value < base:
            raise ValueError(f"target_year {value} is before base_year {base}")
        return value


class Area(_Frozen):
    code: Code
    name: NonEmpty
    kind: AreaKind
    parent: Code | None = None


class Department(_Frozen):
    """A responsible body, named exactly as the plan writes it (full form)."""

    code: Code
    name: NonEmpty


class Section(_Frozen):
    """A clause of the plan, e.g. ``三(一)`` 重点行业绿色升级工程."""

    clause: Clause
    title: NonEmpty


class Target(_Frozen):
    """A quantified target. See the module docstring for the meaning of each kind.

    unit: Unit of ``target_value`` (``%`` for decline_pct and full_coverage).
    indicator_unit: Unit observations are reported in; for decline_pct the level's unit.
    base_value: Level in ``base_year`` [indicator_unit]; null when the plan does not state it.
    target_value: The goal [unit]; null when the plan gives no number (``target_value_note``).
    threshold: The number defining what is counted [threshold_unit], not the goal.
    """

    code: Code
    name: NonEmpty
    clause: Clause
    kind: TargetKind
    unit: NonEmpty
    indicator_unit: NonEmpty | None = None
    base_year: Year
    base_value: float | None = None
    target_year: Year
    # validate_default: the kind-specific checks below must also run when a field is omitted.
    target_value: float | None = Field(default=None, validate_default=True)
    target_value_note: str | None = Field(default=None, validate_default=True)
    threshold: float | None = None
    threshold_unit: NonEmpty | None = Field(default=None, validate_default=True)
    area: Code
    applies_to_districts: bool = False
    binding: Literal["约束性", "预期性"] | None = None
    lead: tuple[Code, ...] = Field(min_length=1)
    co: tuple[Code, ...] = ()
    quote: NonEmpty
    note: str | None = None
    feed: str = REPORTED
    wording: Wording = Wording.FIRM
    strict: bool = False
    every_year: bool = False

    @field_validator("target_year")
    @classmethod
    def _target_after_base(cls, value: int, info: ValidationInfo) -> int:
        base = info.data.get("base_year")
        if base is not None and value < base:
            raise ValueError(f"target_year {value} is before base_year {base}")
        return value

    @field_validator("feed")
    @classmethod
    def _known_feed(cls, value: str, info: ValidationInfo) -> str:
        if value == REPORTED:
            return value
        family = feed_family(value)
        if family == REGISTER_FEED and not re.fullmatch(
            r"[a-z][a-z0-9_]*", feed_register(value) or ""
        ):
            raise ValueError(f"a register feed names its register: registers.<code>, not {value!r}")
        if family not in FEED_KINDS:
            known = ", ".join([REPORTED, *sorted(FEED_KINDS)])
            raise ValueError(f"unknown feed {value!r} (known: {known})")
        kind = info.data.get("kind")
        if kind is not None and kind not in FEED_KINDS[family]:
            kinds = ", ".join(sorted(FEED_KINDS[family]))
            raise ValueError(f"feed {value!r} supplies {kinds} targets, not {kind}")
        return value

    @field_validator("target_value")
    @classmethod
    def _value_fits_kind(cls, value: float | None, info: ValidationInfo) -> float | None:
        kind = info.data.get("kind")
        if value is None:
            if kind in (TargetKind.ELIMINATION, TargetKind.FULL_COVERAGE):
                raise ValueError(f"a {kind} target needs a target_value")
            return value
        if kind == TargetKind.ELIMINATION and value != 0:
            raise ValueError(f"an elimination target must be 0, not {value}")
        if kind == TargetKind.FULL_COVERAGE and value != 100:
            raise ValueError(f"a full_coverage target must be 100 (%), not {value}")
        if kind == TargetKind.DECLINE_PCT and not 0 < value < 100:
            raise ValueError(f"a decline_pct target must be between 0 and 100 (%), not {value}")
        if kind in (TargetKind.COUNT_AT_LEAST, TargetKind.CUMULATIVE_INCREASE) and value <= 0:
            raise ValueError(f"a {kind} target must be positive, not {value}")
        if value < 0:
            raise ValueError(f"target_value must not be negative, not {value}")
        return value

    @field_validator("target_value_note")
    @classmethod
    def _note_when_no_value(cls, value: str | None, info: ValidationInfo) -> str | None:
        if "target_value" in info.data and info.data["target_value"] is None and not value:
            raise ValueError("target_value is null: say why in target_value_note")
        return value

    @field_validator("unit")
    @classmethod
    def _percent_unit(cls, value: str, info: ValidationInfo) -> str:
        kind = info.data.get("kind")
        if kind in (TargetKind.DECLINE_PCT, TargetKind.FULL_COVERAGE) and value != "%":
            raise ValueError(f"a {kind} target is expressed in %, not {value!r}")
        return value

    @field_validator("threshold_unit")
    @classmethod
    def _threshold_pair(cls, value: str | None, info: ValidationInfo) -> str | None:
        if "threshold" in info.data and (info.data["threshold"] is None) != (value is None):
            raise ValueError("threshold and threshold_unit go together")
        return value


class Task(_Frozen):
    """A qualitative commitment of the plan, tracked by status rather than by a number."""

    code: Code
    name: NonEmpty
    clause: Clause
    lead: tuple[Code, ...] = Field(min_length=1)
    co: tuple[Code, ...] = ()
    quote: NonEmpty
    due_year: Year | None = None
    note: str | None = None


class Rule(_Frozen):
    """A rule of the plan kept as data (thresholds, exclusions, exemptions, grades)."""

    code: Code
    name: NonEmpty
    clause: Clause
    quote: NonEmpty
    parameters: dict[Code, RuleValue] = Field(default_factory=dict)
    note: str | None = None


class Register(_Frozen):
    """A kind of register (台账) whose items a target counts (see the module docstring).

    item: What one item is (锅炉, 排口…). size_label / size_unit: How its size is given
    (额定蒸发量 in 蒸吨/小时). measure: ``count`` (items) or ``size`` (sum of sizes).
    """

    code: Code
    name: NonEmpty
    clause: Clause
    item: NonEmpty
    size_label: NonEmpty
    size_unit: NonEmpty
    measure: Literal["count", "size"] = "count"
    lead: tuple[Code, ...] = Field(min_length=1)
    note: str | None = None


class Programme(_Frozen):
    """A key programme (重点工程) and the targets its projects serve (see the module docstring)."""

    code: Code
    name: NonEmpty
    clause: Clause
    lead: tuple[Code, ...] = Field(min_length=1)
    co: tuple[Code, ...] = ()
    targets: tuple[Code, ...] = Field(min_length=1)
    note: str | None = None


class PlanCatalog(_Frozen):
    """One plan file. Construct with ``model_validate``; references are cross-checked.

    Pass ``context={"defer_cross_checks": True}`` to skip the cross-checks and run
    ``cross_check_errors`` yourself (the loader does, to report exact locations).
    """

    plan: PlanInfo
    areas: tuple[Area, ...] = Field(min_length=1)
    departments: tuple[Department, ...] = Field(min_length=1)
    sections: tuple[Section, ...] = Field(min_length=1)
    targets: tuple[Target, ...] = ()
    tasks: tuple[Task, ...] = ()
    rules: tuple[Rule, ...] = ()
    registers: tuple[Register, ...] = ()
    programmes: tuple[Programme, ...] = ()

    @model_validator(mode="after")
    def _cross_check(self, info: ValidationInfo) -> PlanCatalog:
        if info.context and info.context.get("defer_cross_checks"):
            return self
        errors = cross_check_errors(self)
        if errors:
            raise ValueError("; ".join(f"{format_loc(loc)}: {reason}" for loc, reason in errors))
        return self

    def target(self, code: str) -> Target:
        """The target with this code (KeyError when absent)."""
        for target in self.targets:
            if target.code == code:
                return target
        raise KeyError(code)

    def task(self, code: str) -> Task:
        for task in self.tasks:
            if task.code == code:
                return task
        raise KeyError(code)

    def rule(self, code: str) -> Rule:
        for rule in self.rules:
            if rule.code == code:
                return rule
        raise KeyError(code)

    def register(self, code: str) -> Register:
        for register in self.registers:
            if register.code == code:
                return register
        raise KeyError(code)

    def programme(self, code: str) -> Programme:
        for programme in self.programmes:
            if programme.code == code:
                return programme
        raise KeyError(code)

    def department(self, code: str) -> Department:
        for department in self.departments:
            if department.code == code:
                return department
        raise KeyError(code)


def format_loc(loc: Sequence[str | int]) -> str:
    """``("targets", 12, "kind")`` -> ``targets[12].kind``."""
    out = ""
    for part in loc:
        if isinstance(part, int):
            out += f"[{part}]"
        else:
            out += f".{part}" if out else part
    return out


def _duplicates(field: str, codes: Iterable[str]) -> Iterator[tuple[Loc, str]]:
    seen: set[str] = set()
    for index, code in enumerate(codes):
        if code in seen:
            yield (field, index, _key_name(field)), f"duplicate code {code!r}"
        seen.add(code)


def _key_name(field: str) -> str:
    return "clause" if field == "sections" else "code"


def cross_check_errors(catalog: PlanCatalog) -> list[tuple[Loc, str]]:
    """Reference and uniqueness errors of a catalog, each with its location."""
    errors: list[tuple[Loc, str]] = []
    errors += _duplicates("areas", (a.code for a in catalog.areas))
    errors += _duplicates("departments", (d.code for d in catalog.departments))
    errors += _duplicates("sections", (s.clause for s in catalog.sections))
    # Targets, tasks and rules share one namespace so a code names one thing.
    items: list[tuple[str, int, str]] = [
        *(("targets", i, t.code) for i, t in enumerate(catalog.targets)),
        *(("tasks", i, t.code) for i, t in enumerate(catalog.tasks)),
        *(("rules", i, r.code) for i, r in enumerate(catalog.rules)),
    ]
    seen_items: dict[str, str] = {}
    for field, index, code in items:
        if code in seen_items:
            errors.append(
                ((field, index, "code"), f"duplicate code {code!r} (already in {seen_items[code]})")
            )
        else:
            seen_items[code] = f"{field}[{index}]"

    area_codes = {a.code for a in catalog.areas}
    department_codes = {d.code for d in catalog.departments}
    clauses = {s.clause for s in catalog.sections}

    if catalog.plan.area not in area_codes:
        errors.append((("plan", "area"), f"unknown area {catalog.plan.area!r}"))
    for index, area in enumerate(catalog.areas):
        if area.parent is not None and area.parent not in area_codes:
            errors.append((("areas", index, "parent"), f"unknown area {area.parent!r}"))
        if area.parent is None and area.kind != AreaKind.CITY:
            errors.append((("areas", index, "parent"), f"a {area.kind} area needs a parent"))
    references = _References(
        areas=area_codes,
        departments=department_codes,
        clauses=clauses,
        targets={t.code for t in catalog.targets},
        first_year=catalog.plan.base_year,
        last_year=catalog.plan.target_year,
    )
    for index, target in enumerate(catalog.targets):
        errors += _target_errors(("targets", index), target, references)
    for index, task in enumerate(catalog.tasks):
        errors += _task_errors(("tasks", index), task, references)
    for index, rule in enumerate(catalog.rules):
        errors += _rule_errors(("rules", index), rule, references)
    errors += _register_errors(catalog, references)
    errors += _programme_errors(catalog, references)
    return errors


def _programme_errors(catalog: PlanCatalog, refs: _References) -> Iterator[tuple[Loc, str]]:
    yield from _duplicates("programmes", (p.code for p in catalog.programmes))
    clauses: dict[str, str] = {}
    for index, programme in enumerate(catalog.programmes):
        loc: Loc = ("programmes", index)
        if programme.clause not in refs.clauses:
            yield (*loc, "clause"), f"unknown section {programme.clause!r}"
        elif programme.clause in clauses:
            taken = clauses[programme.clause]
            yield (*loc, "clause"), f"section {programme.clause!r} is already the programme {taken}"
        else:
            clauses[programme.clause] = programme.code
        for list_name, codes in (("lead", programme.lead), ("co", programme.co)):
            for position, code in enumerate(codes):
                if code not in refs.departments:
                    yield (*loc, list_name, position), f"unknown department {code!r}"
        both = set(programme.lead) & set(programme.co)
        if both:
            yield (*loc, "co"), f"also listed as lead: {', '.join(sorted(both))}"
        seen: set[str] = set()
        for position, code in enumerate(programme.targets):
            if code not in refs.targets:
                yield (*loc, "targets", position), f"unknown target {code!r}"
            elif code in seen:
                yield (*loc, "targets", position), f"target {code!r} is listed twice"
            seen.add(code)


def _register_errors(catalog: PlanCatalog, refs: _References) -> Iterator[tuple[Loc, str]]:
    yield from _duplicates("registers", (r.code for r in catalog.registers))
    registers = {r.code: r for r in catalog.registers}
    for index, register in enumerate(catalog.registers):
        loc: Loc = ("registers", index)
        if register.clause not in refs.clauses:
            yield (*loc, "clause"), f"unknown section {register.clause!r}"
        for position, code in enumerate(register.lead):
            if code not in refs.departments:
                yield (*loc, "lead", position), f"unknown department {code!r}"
    fed_by: dict[str, str] = {}
    for index, target in enumerate(catalog.targets):
        fed = feed_register(target.feed)
        if fed is None:
            continue
        code = fed
        loc = ("targets", index, "feed")
        entry = registers.get(code)
        if entry is None:
            yield loc, f"unknown register {code!r}"
            continue
        register = entry
        if code in fed_by:
            yield loc, f"register {code!r} already feeds {fed_by[code]}"
        fed_by[code] = target.code
        if target.kind == TargetKind.ELIMINATION and register.measure != "count":
            yield loc, f"an elimination target counts items: register {code!r} needs measure count"
        if register.measure == "size" and register.size_unit != target.unit:
            yield (
                loc,
                (
                    f"register {code!r} sums sizes in {register.size_unit!r}, "
                    f"the target is in {target.unit!r}"
                ),
            )


@dataclass(frozen=True)
class _References:
    areas: set[str]
    departments: set[str]
    clauses: set[str]
    targets: set[str]
    first_year: int
    last_year: int


def _responsibility_errors(
    loc: Loc, entry: Target | Task, refs: _References
) -> Iterator[tuple[Loc, str]]:
    if entry.clause not in refs.clauses:
        yield (*loc, "clause"), f"unknown section {entry.clause!r}"
    for list_name, codes in (("lead", entry.lead), ("co", entry.co)):
        for position, code in enumerate(codes):
            if code not in refs.departments:
                yield (*loc, list_name, position), f"unknown department {code!r}"
    both = set(entry.lead) & set(entry.co)
    if both:
        yield (*loc, "co"), f"also listed as lead: {', '.join(sorted(both))}"


def _target_errors(loc: Loc, target: Target, refs: _References) -> Iterator[tuple[Loc, str]]:
    yield from _responsibility_errors(loc, target, refs)
    if target.area not in refs.areas:
        yield (*loc, "area"), f"unknown area {target.area!r}"
    for name in ("base_year", "target_year"):
        year: int = getattr(target, name)
        if not refs.first_year <= year <= refs.last_year:
            yield (*loc, name), f"{name} {year} is outside the plan period"


def _task_errors(loc: Loc, task: Task, refs: _References) -> Iterator[tuple[Loc, str]]:
    yield from _responsibility_errors(loc, task, refs)
    if task.due_year is not None and not refs.first_year <= task.due_year <= refs.last_year:
        yield (*loc, "due_year"), f"due_year {task.due_year} is outside the plan period"


def _rule_errors(loc: Loc, rule: Rule, refs: _References) -> Iterator[tuple[Loc, str]]:
    if rule.clause not in refs.clauses:
        yield (*loc, "clause"), f"unknown section {rule.clause!r}"
    referenced = rule.parameters.get("targets", ())
    if not isinstance(referenced, tuple):
        yield (*loc, "parameters", "targets"), "must be a list of target codes"
        return
    for code in referenced:
        if code not in refs.targets:
            yield (*loc, "parameters", "targets"), f"unknown target {code!r}"
