"""The illustrative rights ledger (示例数据): invented enterprises and figures, NOT Beihai's.

Three enterprises of the project demo (the demo enterprise user's among them) receive 2025
energy-use rights and COD emission rights, part of them against payment (有偿使用); one sells
rights to another at a price. Everything goes through ``services``, the same path as the pages.
"""

from __future__ import annotations

from collections.abc import Iterator

from django.db import transaction

from ecer.web.enterprises.demo import DEMO_ENTERPRISE_CODE
from ecer.web.rights import services
from ecer.web.rights.models import Account, RightKind

ENTERPRISES = [
    (DEMO_ENTERPRISE_CODE, "合浦示例水泥有限公司（示例）"),
    ("91450500MA5KD0021R", "北海某石化有限公司（示例）"),
    ("91450500MA5KD0048H", "北海某钢铁有限公司（示例）"),
]
# (code, kind, year, quantity, unit price or None)
ALLOCATIONS = [
    (DEMO_ENTERPRISE_CODE, RightKind.ENERGY, 2025, "52000", None),
    (DEMO_ENTERPRISE_CODE, RightKind.COD, 2025, "35.5", "4200.00"),
    ("91450500MA5KD0021R", RightKind.ENERGY, 2025, "1200000", None),
    ("91450500MA5KD0048H", RightKind.ENERGY, 2025, "560000", None),
    ("91450500MA5KD0048H", RightKind.COD, 2025, "120", "4200.00"),
]


@transaction.atomic
def load_demo() -> Iterator[str]:
    """Load the demo ledger once; never next to real accounts."""
    if Account.objects.filter(is_demo=False).exists():
        yield "用能权与排污权：已有真实账户，未载入示例数据"
        return
    if Account.objects.exists():
        yield "用能权与排污权：示例数据已载入"
        return
    accounts = {code: services.open_account(code, name, is_demo=True) for code, name in ENTERPRISES}
    for code, kind, year, amount, price in ALLOCATIONS:
        services.allocate(
            services.holding(accounts[code], kind, year),
            amount,
            unit_price=price,
            note="示例数据：初始分配",
            is_demo=True,
        )
    # The rectified steel works sells 2025 energy-use rights to the new-materials firm.
    services.trade(
        "DEMO-2025-0001",
        services.holding(accounts["91450500MA5KD0048H"], RightKind.ENERGY, 2025),
        services.holding(accounts[DEMO_ENTERPRISE_CODE], RightKind.ENERGY, 2025),
        "8000",
        "260.00",
        is_demo=True,
    )
    yield f"用能权与排污权示例数据：{len(ENTERPRISES)} 个账户，{len(ALLOCATIONS)} 笔分配，1 笔交易"
