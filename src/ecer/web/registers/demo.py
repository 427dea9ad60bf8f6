"""Illustrative register items (示例数据): invented boilers, outlets, sites… NOT Beihai's
registers. For each register that feeds a target, items follow the same invented pace as the
demo observations of the other targets (``ecer.web.catalog.demo``): the remaining count (or
the amount built) each year is the demo curve's, and each item carries the steps that make
it so. One item per register is done but not yet verified in the last demo year, and one is
in rectification, so both figures (verified / including done) show."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date

from django.db import transaction
from simple_history.utils import bulk_create_with_history

from ecer.web.catalog import demo as catalog_demo
from ecer.web.catalog.models import Area, Plan, Target
from ecer.web.registers.models import DATE_FIELDS, ORDER, Item, Register, Status, Step
from ecer.web.registers.services import register_of

DEMO_SOURCE = "示例数据"


def _curve(target: Target, area_code: str, pace: float) -> dict[int, int]:
    base = catalog_demo.demo_base(target, area_code)
    years = range(target.base_year, catalog_demo.DEMO_LAST_YEAR + 1)
    return {y: round(catalog_demo.demo_value(target, base, y, pace)) for y in years}


class _Maker:
    """Makes a register's demo items and their steps, written together by :meth:`save` (one
    bulk insert each, with their history rows, as ``save()`` one by one would write them)."""

    def __init__(self, register: Register, districts: list[Area]):
        self.register = register
        self.districts = districts
        self.count = 0
        self.max_size = register.max_size()
        self.items: list[tuple[Item, dict[Status, date]]] = []

    def item(self, area: Area | None, steps: dict[Status, date], size: float | None = None) -> Item:
        self.count += 1
        n = self.count
        area = area or self.districts[n % len(self.districts)]
        if size is None:
            # Sizes below the register's threshold where it has one (e.g. ≤ 10 蒸吨/小时).
            size = round(self.max_size * (n % 4 + 1) / 4, 1) if self.max_size else float(n % 5 + 1)
        item = Item(
            register=self.register,
            identifier=f"示例{n:03d}",  # demo data: a Chinese identifier users can read
            name=f"{area.name}示例{self.register.item}{n}号",
            area=area,
            location=f"{area.name}示例路{n}号",
            owner=f"示例责任单位{n % 7 + 1}",
            size=size,
            is_demo=True,
            note=DEMO_SOURCE,
        )
        for status in ORDER:
            if status in steps:
                setattr(item, DATE_FIELDS[status], steps[status])
                item.status = status
        self.items.append((item, steps))
        return item

    def save(self) -> None:
        bulk_create_with_history([item for item, _steps in self.items], Item)
        bulk_create_with_history(
            [
                Step(item=item, status=status, date=steps[status], source=DEMO_SOURCE)
                for item, steps in self.items
                for status in ORDER
                if status in steps
            ],
            Step,
        )
        self.items.clear()


def _eliminate(maker: _Maker, target: Target, area: Area | None, curve: dict[int, int]) -> None:
    """Items registered in the base year; each year the curve's drop is verified."""
    base_year = target.base_year
    registered = date(base_year, 6, 30)
    pending = []
    for _n in range(curve[base_year]):
        pending.append(registered)
    years = sorted(curve)
    last = years[-1]
    steps_of: list[dict[Status, date]] = [{Status.REGISTERED: d} for d in pending]
    index = 0
    for year in years[1:]:
        for _n in range(max(0, curve[year - 1] - curve[year])):
            if index < len(steps_of):
                steps_of[index].update(
                    {
                        Status.RECTIFYING: date(year, 3, 1),
                        Status.DONE: date(year, 9, 30),
                        Status.VERIFIED: date(year, 11, 30),
                    }
                )
                index += 1
    # Of those still remaining: one done awaiting verification, one in rectification.
    if index < len(steps_of):
        steps_of[index].update(
            {Status.RECTIFYING: date(last, 3, 1), Status.DONE: date(last, 12, 1)}
        )
    if index + 1 < len(steps_of):
        steps_of[index + 1][Status.RECTIFYING] = date(last, 5, 1)
    for steps in steps_of:
        maker.item(area, steps)


def _build(maker: _Maker, target: Target, area: Area | None, curve: dict[int, int]) -> None:
    """Each year's increase of the curve, built and verified that year (in three items when
    the register sums sizes, e.g. charging sites with their piles)."""
    sums_sizes = maker.register.measure == "size"
    years = sorted(curve)
    start = 0 if target.kind == Target.Kind.CUMULATIVE_INCREASE else curve[years[0]]
    previous = start
    for year in years[1:]:
        increase = max(0, curve[year] - previous)
        previous = curve[year]
        steps = {
            Status.REGISTERED: date(year, 2, 1),
            Status.RECTIFYING: date(year, 4, 1),
            Status.DONE: date(year, 9, 30),
            Status.VERIFIED: date(year, 11, 30),
        }
        if sums_sizes:
            parts = [increase // 3, increase // 3, increase - 2 * (increase // 3)]
            for part in parts:
                if part:
                    maker.item(area, steps, size=float(part))
        else:
            for _n in range(increase):
                maker.item(area, steps)
    last = years[-1]
    maker.item(
        area,
        {Status.REGISTERED: date(last, 3, 1), Status.RECTIFYING: date(last, 6, 1)},
        size=10.0 if sums_sizes else None,
    )


@transaction.atomic
def load_demo(plan: Plan | None = None) -> Iterator[str]:
    plan = plan or Plan.objects.first()
    if plan is None:
        return
    districts = list(Area.objects.exclude(kind=Area.Kind.CITY).order_by("sort_order"))
    for target in plan.targets.filter(feed__startswith="registers."):
        register = register_of(target)
        if register is None or register.items.filter(is_demo=True).exists():
            continue
        maker = _Maker(register, districts)
        pace = catalog_demo.SCENARIO_PACE[catalog_demo.scenario(target)]
        build = _eliminate if target.kind == Target.Kind.ELIMINATION else _build
        if target.applies_to_districts:
            for area in districts:
                area_pace = catalog_demo.DISTRICT_PACE.get(area.code, 1.0)
                build(maker, target, area, _curve(target, area.code, area_pace))
        else:
            build(maker, target, None, _curve(target, plan.area.code, pace))
        maker.save()
        yield f"register {register.code}: {maker.count} demo items"
