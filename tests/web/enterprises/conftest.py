"""An enterprise with a meter and an API key, and the demo enterprises."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import pytest

CODE = "91450502MA5HC00155"
OTHER = "91450512MA5TG0034R"


@dataclass
class Firm:
    enterprise: Any
    other: Any
    meter: Any
    interval_meter: Any
    user: Any
    key: str


@pytest.fixture
def firm(loaded_plan: Any, django_user_model: Any) -> Firm:
    from ecer.web.accounts.models import ApiKey, Membership, Role
    from ecer.web.catalog.models import Area
    from ecer.web.enterprises.models import Enterprise, Meter

    enterprise = Enterprise.objects.create(
        credit_code=CODE,
        name="海城测试冷库",
        area=Area.objects.get(code="haicheng"),
        industry_code="5951",
        industry_name="低温仓储",
    )
    other = Enterprise.objects.create(
        credit_code=OTHER,
        name="铁山港测试石化",
        area=Area.objects.get(code="tieshangang"),
        industry_code="2511",
        industry_name="原油加工及石油制品制造",
    )
    meter = Meter.objects.create(
        enterprise=enterprise,
        code="E-01",
        name="总表",
        carrier="electricity",
        unit="kWh",
        kind=Meter.Kind.CUMULATIVE,
    )
    interval_meter = Meter.objects.create(
        enterprise=enterprise,
        code="G-01",
        name="天然气",
        carrier="natural_gas",
        unit="m3",
        kind=Meter.Kind.INTERVAL,
    )
    Meter.objects.create(
        enterprise=other,
        code="E-01",
        name="总表",
        carrier="electricity",
        unit="kWh",
        kind="cumulative",
    )
    user = django_user_model.objects.create_user("coldstore", password="pw-for-tests-only")
    Membership.objects.create(user=user, role=Role.ENTERPRISE, enterprise_code=CODE)
    _key, raw = ApiKey.issue(user, "接入端系统")
    return Firm(enterprise, other, meter, interval_meter, user, raw)


@pytest.fixture
def enterprise_demo(loaded_plan: Any) -> Any:
    from ecer.web.enterprises.demo import load_demo

    list(load_demo())
    return loaded_plan
