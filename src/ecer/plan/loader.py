"""Read a plan YAML file into a ``PlanCatalog``, reporting every error with its line.

The YAML is composed into a node tree first, so each location in the data (``targets[12].kind``)
maps to the line it was written on; schema and cross-reference errors are then reported as
``FILE:LINE: targets[12].kind: reason``. Duplicate mapping keys are errors (plain PyYAML would
keep the last value silently).
"""

from __future__ import annotations

from dataclasses import dataclass
from importlib.resources import files
from pathlib import Path
from typing import Any

import yaml
from pydantic import ValidationError

from ecer.plan.schema import Loc, PlanCatalog, cross_check_errors, format_loc

DEFAULT_PLAN_FILE = "beihai-2021-2025.yaml"


@dataclass(frozen=True)
class PlanError:
    """One problem in a plan file.

    path: Location in the data, e.g. ``targets[12].kind`` (empty for file-level problems).
    line: 1-based line in the file, or None when the problem has no line (unreadable file).
    """

    file: str
    path: str
    line: int | None
    reason: str

    def __str__(self) -> str:
        where = self.file if self.line is None else f"{self.file}:{self.line}"
        return f"{where}: {self.path}: {self.reason}" if self.path else f"{where}: {self.reason}"


class PlanValidationError(Exception):
    """A plan file failed validation; ``errors`` lists every problem found."""

    def __init__(self, errors: list[PlanError]) -> None:
        self.errors = errors
        super().__init__("\n".join(str(error) for error in errors))


def default_plan_path() -> Path:
    """The packaged Beihai 2021–2025 plan."""
    return Path(str(files("ecer.plan").joinpath("plans", DEFAULT_PLAN_FILE)))


def load_plan_file(path: str | Path) -> PlanCatalog:
    """Load and validate a plan file; raises ``PlanValidationError`` listing every error."""
    catalog, errors = _read(Path(path))
    if errors or catalog is None:
        raise PlanValidationError(errors)
    return catalog


def validate_plan_file(path: str | Path) -> list[PlanError]:
    """Every error in a plan file (empty when it is valid)."""
    return _read(Path(path))[1]


def _read(path: Path) -> tuple[PlanCatalog | None, list[PlanError]]:
    name = str(path)
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        return None, [PlanError(name, "", None, f"cannot read the file: {exc}")]

    try:
        data, lines, duplicate_keys = _compose(text)
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line = mark.line + 1 if mark is not None else None
        reason = f"YAML syntax error: {exc.problem or exc.context}"
        return None, [PlanError(name, "", line, reason)]
    except yaml.YAMLError as exc:
        return None, [PlanError(name, "", None, f"YAML error: {exc}")]

    errors = [
        PlanError(name, format_loc(loc), line, reason) for loc, line, reason in duplicate_keys
    ]
    if not isinstance(data, dict):
        errors.append(PlanError(name, "", 1, "the file must hold a mapping (plan, areas, ...)"))
        return None, errors

    try:
        catalog = PlanCatalog.model_validate(data, context={"defer_cross_checks": True})
    except ValidationError as exc:
        for error in exc.errors():
            loc = tuple(error["loc"])
            reason = str(error["msg"]).removeprefix("Value error, ")
            errors.append(PlanError(name, format_loc(loc), _line_of(lines, loc), reason))
        return None, errors

    for loc, reason in cross_check_errors(catalog):
        errors.append(PlanError(name, format_loc(loc), _line_of(lines, loc), reason))
    return (None if errors else catalog), errors


def _compose(text: str) -> tuple[Any, dict[Loc, int], list[tuple[Loc, int, str]]]:
    """Parse YAML text; return the data, a map location -> line, and duplicate-key errors."""
    # libyaml's parser where PyYAML was built with it (same nodes and marks, 7x faster).
    loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)(text)
    try:
        node = loader.get_single_node()
        if node is None:
            return None, {}, []
        lines: dict[Loc, int] = {}
        duplicates: list[tuple[Loc, int, str]] = []
        _index_node(node, (), lines, duplicates)
        data = loader.construct_document(node)
    finally:
        loader.dispose()
    return data, lines, duplicates


def _index_node(
    node: yaml.Node,
    loc: Loc,
    lines: dict[Loc, int],
    duplicates: list[tuple[Loc, int, str]],
) -> None:
    lines.setdefault(loc, node.start_mark.line + 1)
    if isinstance(node, yaml.MappingNode):
        first_seen: dict[str, int] = {}
        for key_node, value_node in node.value:
            key = str(key_node.value)
            key_line = key_node.start_mark.line + 1
            child = (*loc, key)
            if key in first_seen:
                duplicates.append(
                    (child, key_line, f"duplicate key {key!r} (first at line {first_seen[key]})")
                )
                continue
            first_seen[key] = key_line
            lines[child] = key_line
            _index_node(value_node, child, lines, duplicates)
    elif isinstance(node, yaml.SequenceNode):
        for index, item in enumerate(node.value):
            _index_node(item, (*loc, index), lines, duplicates)


def _line_of(lines: dict[Loc, int], loc: Loc) -> int | None:
    """Line of the deepest written node on the way to ``loc`` (a missing field -> its parent)."""
    for end in range(len(loc), -1, -1):
        line = lines.get(loc[:end])
        if line is not None:
            return line
    return None
