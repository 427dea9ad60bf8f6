"""Helpers shared by the plan catalog tests."""

from __future__ import annotations

import re

# A small valid plan; tests break one thing in it at a time.
MINIMAL_PLAN = """\
plan:
  code: test-2021-2025
  name: 测试方案
  issuer: 测试市人民政府
  area: city
  base_year: 2020
  target_year: 2025
  source: 测试方案
areas:
  - {code: city, name: 测试市, kind: city, parent: null}
  - {code: east, name: 东区, kind: district, parent: city}
departments:
  - {code: drc, name: 市发展改革委}
  - {code: eeb, name: 市生态环境局}
sections:
  - {clause: 二, title: 主要目标}
targets:
  - code: energy_intensity_decline
    name: 单位地区生产总值能源消耗降低
    clause: 二
    kind: decline_pct
    unit: "%"
    indicator_unit: 吨标准煤/万元
    base_year: 2020
    target_year: 2025
    target_value: 12.5
    area: city
    lead: [drc]
    co: [eeb]
    quote: 下降12.5%
  - code: cod_reduction
    name: 化学需氧量重点工程减排量
    clause: 二
    kind: cumulative_increase
    unit: 吨
    base_year: 2020
    target_year: 2025
    target_value: 2106
    area: city
    lead: [eeb]
    quote: 不低于2106吨
tasks:
  - code: mid_term_evaluation
    name: 开展中期评估
    clause: 二
    lead: [drc]
    quote: 适时开展中期评估
rules:
  - code: key_energy_unit_threshold
    name: 重点用能单位门槛
    clause: 二
    quote: 年能耗5000吨标准煤以上
    parameters: {threshold_tce_per_year: 5000, targets: [energy_intensity_decline]}
"""


def normalise(text: str) -> str:
    """Drop whitespace and the text's markdown bold markers, which carry no meaning."""
    return re.sub(r"\s+", "", text.replace("**", ""))


def line_of(text: str, needle: str, occurrence: int = 1) -> int:
    """1-based line of the n-th line containing ``needle``."""
    hits = [number for number, line in enumerate(text.splitlines(), 1) if needle in line]
    return hits[occurrence - 1]
