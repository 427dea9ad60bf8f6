"""Issue #19 class 1: no form field, query parameter or API parameter names an object outside
the user's scope — on display (the choices offered) and on submit (refused, nothing stored).

The forms are discovered from the web apps' modules (every form class they define or bind,
formsets by their form), the query parameters from what the views actually read. Whether an
object is inside a role's scope is decided here by ``in_scope``, written from the roles table
of docs/security.md, not by the Scope under test.
"""

from __future__ import annotations

import importlib
import pkgutil
import types
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

import pytest
from django import forms
from django.apps import apps
from django.http import QueryDict

import ecer.web
from ecer.web.accounts.scope import NARROWERS, Scope, Unscoped
from ecer.web.accounts.scoping import (
    OBJECT_PARAMETERS,
    ScopedFormMixin,
    form_classes,
    object_fields,
    unscoped_forms,
)
from ecer.web.catalog.models import Area, Plan
from tests.web.accounts.conftest import ENTERPRISE_CODE, World
from tests.web.accounts.test_permission_matrix import ROUTES

ROLES = ["city_admin", "leader", "department", "district", "enterprise"]
OWN_AREA = "haicheng"  # the district user's
OWN_DEPARTMENT = "transport"  # the department user's


def _import_web_modules() -> list[types.ModuleType]:
    modules = []
    for info in pkgutil.walk_packages(ecer.web.__path__, "ecer.web."):
        if ".migrations" in info.name or info.name.endswith((".wsgi", ".cli")):
            continue
        modules.append(importlib.import_module(info.name))
    return modules


def _scoped_forms() -> dict[str, type[forms.BaseForm]]:
    return {
        name: cls
        for name, cls in form_classes(_import_web_modules()).items()
        if object_fields(cls) and not getattr(cls, "scope_exempt", "")
    }


# ---------------------------------------------------------------------------------------------
# The oracle: is ``obj`` inside ``role``'s scope? (docs/security.md, "Roles and scopes")


def _area_ok(role: str, area: Any) -> bool:
    if area is None:
        return role in ("city_admin", "leader")
    if role in ("city_admin", "leader", "department"):
        return True
    return role == "district" and area.code == OWN_AREA


def _enterprise_ok(role: str, enterprise: Any) -> bool:
    if role in ("city_admin", "leader"):
        return True
    if role == "district":
        return bool(enterprise.area.code == OWN_AREA)
    return role == "enterprise" and enterprise.credit_code == ENTERPRISE_CODE


def _target_ok(role: str, target: Any) -> bool:
    if role in ("city_admin", "leader"):
        return True
    if role == "department":
        codes = {d.code for d in target.lead_departments.all()}
        codes |= {d.code for d in target.co_departments.all()}
        return OWN_DEPARTMENT in codes
    return role == "district" and bool(target.applies_to_districts)


def _point_ok(role: str, point: Any) -> bool:
    if role in ("city_admin", "leader"):
        return True  # the transport department is not the Ecology and Environment one
    if role == "district":
        return point.area is not None and point.area.code == OWN_AREA
    return role == "enterprise" and point.enterprise_code == ENTERPRISE_CODE


ORACLE: dict[str, Callable[[str, Any], bool]] = {
    "catalog.area": lambda r, o: _area_ok(r, o) and (r != "enterprise"),
    "catalog.target": _target_ok,
    "catalog.observation": lambda r, o: _area_ok(r, o.area) and _target_ok(r, o.target),
    "catalog.department": lambda r, o: (
        r in ("city_admin", "leader") or (r == "department" and o.code == OWN_DEPARTMENT)
    ),
    "monitoring.monitoringpoint": _point_ok,
    "enterprises.enterprise": _enterprise_ok,
    "enterprises.energyreport": lambda r, o: _enterprise_ok(r, o.enterprise),
    "enterprises.productionunit": lambda r, o: _enterprise_ok(r, o.enterprise),
    "enterprises.meter": lambda r, o: _enterprise_ok(r, o.enterprise),
    "reductions.reductionproject": lambda r, o: _area_ok(r, o.area) and r != "enterprise",
    "projects.project": lambda r, o: _area_ok(r, o.area) and r != "enterprise",
    "rights.account": lambda r, o: (
        r in ("city_admin", "leader") or (r == "enterprise" and o.code == ENTERPRISE_CODE)
    ),
}


def in_scope(role: str, obj: Any) -> bool:
    label = obj._meta.label_lower
    assert label in ORACLE, f"no oracle rule for {label}: add one from docs/security.md"
    return ORACLE[label](role, obj)


def outside(role: str, model: type[Any]) -> Any | None:
    """An object of ``model`` outside ``role``'s scope (None when the role sees them all)."""
    return next((o for o in model._default_manager.all() if not in_scope(role, o)), None)


@pytest.fixture
def rich_world(world: World) -> World:
    """The permission world plus a production unit, a meter and a rights account per
    enterprise, so every object model has rows inside and outside each scope."""
    from ecer.web.enterprises.models import Meter, ProductionUnit
    from ecer.web.rights import services as rights

    for firm in (world.own_enterprise, world.other_enterprise):
        ProductionUnit.objects.create(enterprise=firm, name=f"{firm.name} 装置", capacity=1.0)
        Meter.objects.create(
            enterprise=firm, code="M1", name="总表", carrier="electricity", unit="kWh",
            kind="cumulative",
        )  # fmt: skip
        rights.open_account(firm.credit_code, firm.name)
    # Two-high projects (a key-programme project may link one), inside and outside 海城区.
    from tests.web.accounts.test_permission_matrix import project_of

    for which in ("own", "other"):
        project_of(world, "district", which)
    return world


def _scope(world: World, role: str) -> Scope:
    return Scope.for_user(world.users[role])


def _history_rows() -> int:
    return sum(
        m._default_manager.count() for m in apps.get_models() if m.__name__.startswith("Historical")
    )


def _login(client: Any, world: World, role: str) -> None:
    client.logout()
    client.force_login(world.users[role])


# ---------------------------------------------------------------------------------------------
# The mechanism cannot be forgotten


def test_every_form_naming_an_object_is_scoped() -> None:
    assert not unscoped_forms(_import_web_modules())


def test_an_unscoped_form_is_found_and_fails_the_system_check() -> None:
    module = types.ModuleType("ecer.web.fake_forms")

    class Careless(forms.Form):
        area = forms.ModelChoiceField(queryset=Area.objects.all())

    Careless.__module__ = module.__name__
    module.Careless = Careless  # type: ignore[attr-defined]
    assert unscoped_forms([module]) == ["ecer.web.fake_forms.Careless"]


@pytest.mark.django_db
def test_a_form_naming_a_model_without_a_scope_rule_refuses_to_build(world: World) -> None:
    assert "catalog.plan" not in NARROWERS

    class PlanPicker(ScopedFormMixin, forms.Form):
        plan = forms.ModelChoiceField(queryset=Plan.objects.all())

    with pytest.raises(Unscoped, match=r"catalog\.plan"):
        PlanPicker(scope=_scope(world, "city_admin"))


def test_every_narrowed_model_has_an_oracle_rule() -> None:
    assert set(NARROWERS) <= set(ORACLE)


# ---------------------------------------------------------------------------------------------
# Choices offered


@pytest.mark.django_db
@pytest.mark.parametrize("role", ROLES)
def test_every_form_offers_only_objects_in_scope(rich_world: World, role: str) -> None:
    scope = _scope(rich_world, role)
    forms_found = _scoped_forms()
    assert forms_found, "no scoped form discovered"
    leaks = []
    for name, cls in forms_found.items():
        form = cls(scope=scope)  # type: ignore[call-arg]
        for field_name, field in object_fields(form).items():
            model = field.queryset.model  # type: ignore[attr-defined]
            if role == "district":  # the district has objects outside it of every kind
                assert outside(role, model) is not None, f"no {model} outside the district"
            leaks += [
                f"{name}.{field_name}: {obj!r}"
                for obj in field.queryset  # type: ignore[attr-defined]
                if not in_scope(role, obj)
            ]
    assert not leaks, f"{role} is offered objects outside its scope:\n" + "\n".join(leaks)


# ---------------------------------------------------------------------------------------------
# Submitting an out-of-scope object


@dataclass(frozen=True)
class FormRoute:
    """Where a form is posted, by which roles, with valid data naming in-scope objects."""

    url: Callable[[World, str], str]
    roles: tuple[str, ...]
    data: Callable[[World, str], dict[str, Any]]
    prefix: str = ""  # a formset's form: the field names carry this prefix


def _observation_data(world: World, role: str) -> dict[str, Any]:
    target = world.other_target if role == "department" else world.own_target
    area = Area.objects.get(code="beihai" if role == "department" else OWN_AREA)
    return {
        "target": target.pk,
        "area": area.pk,
        "year": 2023,
        "quarter": 0,
        "value": 1.5,
        "unit": target.observation_unit,
        "source": "测试",
    }


def _management(prefix: str, total: int = 0) -> dict[str, Any]:
    return {
        f"{prefix}-TOTAL_FORMS": total,
        f"{prefix}-INITIAL_FORMS": 0,
        f"{prefix}-MIN_NUM_FORMS": 0,
        f"{prefix}-MAX_NUM_FORMS": 1000,
    }


def _reduction_data(world: World, role: str) -> dict[str, Any]:
    return {
        "name": "越界测试项目",
        "type": "closure",
        "area": Area.objects.get(code=OWN_AREA).pk,
        "sector": "工业锅炉",
        "source_name": "锅炉",
        "point": world.own_point.pk,
        "status": "planned",
        **_management("lines"),
    }


def _register_project_data(world: World, role: str) -> dict[str, Any]:
    return {
        "name": "越界测试登记项目",
        "enterprise_name": "测试企业",
        "enterprise_code": "91450500MA5KD0101D",
        "area": Area.objects.get(code=OWN_AREA).pk,
        "industry_code": "1491",
        "industry_name": "营养食品制造",
        "status": "planned",
        "first_full_year": 2025,
        "value_added_10k_yuan": 100,
        "new_coal_t": 0,
        "rectification_saving_tce": 0,
        "follow_up": "not_started",
        **_management("lines"),
    }


def _report_data(world: World, role: str) -> dict[str, Any]:
    unit = world.own_enterprise.units.get()
    return {
        "raw_material_tce": 0,
        "savings_tce": 0,
        **_management("carriers"),
        **_management("outputs", 1),
        "outputs-0-unit": unit.pk,
        "outputs-0-product": "产品",
        "outputs-0-output": 1,
        "outputs-0-output_unit": "t",
    }


def _register_item_data(world: World, role: str) -> dict[str, Any]:
    return {
        "identifier": f"越界测试-{role}",
        "name": "越界测试锅炉",
        "area": Area.objects.get(code=OWN_AREA).pk,
        "location": "测试地点",
        "owner": "测试单位",
        "credit_code": "",
        "size": 4,
        "registered_on": "2023-01-01",
        "note": "",
    }


def _programme_project_data(world: World, role: str) -> dict[str, Any]:
    return {
        "code": f"SCOPE-{role}",
        "name": "越界测试工程项目",
        "area": Area.objects.get(code=OWN_AREA).pk,
        "owner_name": "测试业主",
        "investment_planned": 100,
        "start_on": "2024-01-01",
        "planned_completion_on": "2025-12-31",
    }


FORM_ROUTES: dict[str, FormRoute] = {
    "ecer.web.registers.forms.ItemForm": FormRoute(
        lambda w, r: "/registers/coal_boilers_small/new/", ("city_admin", "district"),
        _register_item_data,
    ),
    "ecer.web.programmes.forms.ProjectForm": FormRoute(
        lambda w, r: "/programmes/transport_logistics/new/",
        ("city_admin", "department", "district"), _programme_project_data,
    ),
    "ecer.web.catalog.forms.ObservationForm": FormRoute(
        lambda w, r: "/observations/new/", ("city_admin", "department", "district"),
        _observation_data,
    ),
    "ecer.web.reductions.forms.ProjectForm": FormRoute(
        lambda w, r: "/reductions/new/", ("city_admin", "district"), _reduction_data
    ),
    "ecer.web.projects.forms.ProjectForm": FormRoute(
        lambda w, r: "/projects/new/", ("city_admin",), _register_project_data
    ),
    "ecer.web.notifications.forms.WebhookForm": FormRoute(
        lambda w, r: "/notifications/webhooks/", ("city_admin",),
        lambda w, r: {"name": "海城区群", "provider": "wecom", "enabled": "on",
                      "url": "https://robot.example/send?key=1",
                      "area": Area.objects.get(code=OWN_AREA).pk},
    ),
    "ecer.web.enterprises.forms.ProductOutputForm": FormRoute(
        lambda w, r: f"/enterprises/{w.own_enterprise.credit_code}/reports/2023/edit/",
        ("city_admin", "enterprise"),
        _report_data,
        prefix="outputs-0-",
    ),
}  # fmt: skip


def test_every_scoped_form_has_a_submit_route() -> None:
    assert set(_scoped_forms()) == set(FORM_ROUTES)


@pytest.mark.django_db
@pytest.mark.parametrize("name", sorted(FORM_ROUTES))
def test_a_post_naming_an_object_out_of_scope_is_refused(
    rich_world: World, client: Any, name: str
) -> None:
    """Every role that may post the form: in-scope data is accepted (the probe is a real
    one), and the same data with any object field pointing outside the scope is refused
    and stores nothing."""
    from ecer.web.enterprises.models import ProductionUnit

    route, cls = FORM_ROUTES[name], _scoped_forms()[name]
    probes = 0
    for role in route.roles:
        _login(client, rich_world, role)
        for field_name, field in object_fields(cls(scope=_scope(rich_world, role))).items():  # type: ignore[call-arg]
            model = field.queryset.model  # type: ignore[attr-defined]
            bad = outside(role, model)
            if model is ProductionUnit and bad is None:
                # The city sees every unit: a unit of another enterprise than the report's.
                bad = rich_world.other_enterprise.units.get()
            if bad is None:
                continue  # this role sees every object of this kind
            data = {**route.data(rich_world, role), route.prefix + field_name: bad.pk}
            before = _history_rows()
            response = client.post(route.url(rich_world, role), data)
            assert response.status_code in (200, 403, 404), (role, field_name, response)
            if response.status_code == 200:
                errors = response.context["form"].errors if route.prefix == "" else None
                assert errors is None or field_name in errors, (role, field_name, errors)
            assert _history_rows() == before, f"{role} stored {field_name}={bad!r}"
            probes += 1
    city_only = ("ecer.web.projects.forms.ProjectForm", "ecer.web.notifications.forms.WebhookForm")
    if name not in city_only:  # city administrators only: no outside
        assert probes, f"{name}: no role had an object outside its scope to try"


@pytest.mark.django_db
def test_the_submit_probes_accept_in_scope_data(rich_world: World, client: Any) -> None:
    """The probe data is valid: with the in-scope objects each route stores (so a refusal
    above is the scope's, not a malformed form)."""
    for name, route in FORM_ROUTES.items():
        role = route.roles[-1]
        _login(client, rich_world, role)
        before = _history_rows()
        response = client.post(route.url(rich_world, role), route.data(rich_world, role))
        errors = (
            response.context and response.context.get("form") and response.context["form"].errors
        )
        assert response.status_code == 302, (name, role, errors)
        assert _history_rows() > before, name


# ---------------------------------------------------------------------------------------------
# Query parameters of pages and exports

# Query parameters the views read that name no object (a value, a period, a page, a code of a
# fixed list). A view that reads a name in neither list fails below until it is classified.
NON_OBJECT_PARAMETERS = {
    "year", "month", "start", "end", "since", "until", "page", "status", "kind", "severity",
    "medium", "pollutant", "cn", "type", "industry", "key", "below", "ongoing", "preview",
    "model", "user", "next",
    "counted",  # registers: only the items counted for the figure
    "register",  # a register kind of the plan: plan data every role with access may read
    "state", "overdue",  # cases: a state of the fixed list; deliveries: a delivery state
    "unread",  # the notification centre: unread only
    "layers", "refresh",  # leaders' views: map layers shown, screen refresh (sort: below)
    "show",  # leaders' map: one of the user's own light-table columns (others answer 404)
    "quarter",  # a reminder's period on the entry forms (observations, task reports)
    "programme",  # a key programme of the plan: plan data every role with access may read
    # Lists (ecer.web.listing): a declared column, search text matched inside the scoped
    # rows, and the export switch; none names an object.
    "sort", "q", "export",
}  # fmt: skip


@contextmanager
def _recording_reads() -> Iterator[set[str]]:
    names: set[str] = set()
    originals = {m: getattr(QueryDict, m) for m in ("get", "getlist", "__getitem__")}
    contains = QueryDict.__contains__

    def wrap(method: str) -> Any:
        def read(self: QueryDict, key: str, *args: Any) -> Any:
            names.add(key)
            return originals[method](self, key, *args)

        return read

    def has(self: QueryDict, key: object) -> bool:
        names.add(str(key))
        return contains(self, key)

    for method in originals:
        setattr(QueryDict, method, wrap(method))
    QueryDict.__contains__ = has  # type: ignore[method-assign]
    try:
        yield names
    finally:
        for method, original in originals.items():
            setattr(QueryDict, method, original)
        QueryDict.__contains__ = contains  # type: ignore[method-assign]


GET_PAGES = [r for r in ROUTES if r.method == "get" and not r.name.startswith(("api:", "admin:"))]


@pytest.mark.django_db
def test_every_query_parameter_a_view_reads_is_classified(
    rich_world: World, client: Any, settings: Any
) -> None:
    _login(client, rich_world, "city_admin")
    with _recording_reads() as names:
        for route in GET_PAGES:
            client.get(route.url(rich_world, "city_admin", "own"))
    unknown = names - set(OBJECT_PARAMETERS) - NON_OBJECT_PARAMETERS
    unknown = {n for n in unknown if not n.startswith(("csrf", "HTTP_", "_"))}
    assert not unknown, (
        f"views read query parameters {sorted(unknown)}: add each to OBJECT_PARAMETERS "
        "(ecer.web.accounts.scoping) if it names an object, else to NON_OBJECT_PARAMETERS"
    )
    assert {"area", "enterprise"} <= names  # the recorder works


def _parameter_value(name: str, obj: Any) -> str:
    return str(getattr(obj, OBJECT_PARAMETERS[name].field))


@pytest.mark.django_db
@pytest.mark.parametrize("role", ["department", "district", "enterprise"])
def test_a_query_parameter_out_of_scope_never_shows_data(
    rich_world: World, client: Any, role: str
) -> None:
    """On every page and export, ?name=<object outside the scope> answers 404 (or the page's
    own refusal), never 200; the same parameter inside the scope keeps the page's answer."""
    _login(client, rich_world, role)
    failures = []
    # Each page's answer without the parameter, asked once.
    plain = {
        path: client.get(path).status_code
        for path in (
            route.url(rich_world, role, "own")
            for route in GET_PAGES
            if route.name not in ("login", "logout")
        )
    }
    for name, parameter in OBJECT_PARAMETERS.items():
        model = apps.get_model(parameter.model)
        bad = outside(role, model)
        good = next((o for o in model._default_manager.all() if in_scope(role, o)), None)
        for path, status in plain.items():
            joiner = "&" if "?" in path else "?"
            if bad is not None:
                got = client.get(f"{path}{joiner}{name}={_parameter_value(name, bad)}")
                if got.status_code == 200:
                    failures.append(f"{role} {path} ?{name}={bad!r}: 200")
            if good is not None and status == 200 and name != "area":
                got = client.get(f"{path}{joiner}{name}={_parameter_value(name, good)}")
                if got.status_code == 404:
                    failures.append(f"{role} {path} ?{name}={good!r} (in scope): 404")
    assert not failures, "\n".join(failures)


# ---------------------------------------------------------------------------------------------
# The named case


@pytest.mark.django_db
def test_a_district_cannot_claim_another_districts_point(rich_world: World, client: Any) -> None:
    """Issue #19: the reduction-project form of 海城区 neither offers nor accepts 铁山港区's
    point, shows none of its data, and adds no finding to 铁山港区's project."""
    from ecer.web.reductions import services
    from ecer.web.reductions.models import ReductionProject

    w = rich_world
    w.other_project.point = w.other_point
    w.other_project.save()
    findings_before = [f.key for f, _c in services.check_all().for_project(w.other_project)]
    _login(client, w, "district")
    page = client.get("/reductions/new/")
    offered = {p.pk for p in page.context["form"].fields["point"].queryset}
    assert w.own_point.pk in offered and w.other_point.pk not in offered
    assert w.other_point.mn not in page.content.decode()
    count = ReductionProject.objects.count()
    response = client.post(
        "/reductions/new/", {**_reduction_data(w, "district"), "point": w.other_point.pk}
    )
    assert response.status_code == 200
    assert "point" in response.context["form"].errors
    assert ReductionProject.objects.count() == count
    after = [f.key for f, _c in services.check_all().for_project(w.other_project)]
    assert after == findings_before


@pytest.mark.django_db
def test_even_the_city_cannot_put_a_point_in_another_district(
    rich_world: World, client: Any
) -> None:
    w = rich_world
    _login(client, w, "city_admin")
    response = client.post(
        "/reductions/new/", {**_reduction_data(w, "city_admin"), "point": w.other_point.pk}
    )
    assert response.status_code == 200
    assert "不在项目所在的" in str(response.context["form"].errors["point"])


# ---------------------------------------------------------------------------------------------
# API parameters

# Every parameter of the JSON API that names an object, and the probe that shows an
# out-of-scope value is refused (tests/web/accounts/test_permission_matrix.py rows).
API_OBJECT_PARAMETERS = {
    "create_observation": {"target", "area"},
    "update_observation": {"pk", "target", "area"},
    "correct_observation": {"pk"},
    "approve_observation": {"pk"},
    "upload_readings": {"enterprise", "meter"},
    "approve_report": {"code"},
}
OBJECT_NAMES = {"pk", "id", "code", *OBJECT_PARAMETERS, "meter", "report", "plan"}


def _schema_fields(schema: Any) -> set[str]:
    names: set[str] = set()
    for name, field in getattr(schema, "model_fields", {}).items():
        names.add(name)
        for arg in (field.annotation, *(getattr(field.annotation, "__args__", ()) or ())):
            if isinstance(arg, type) and hasattr(arg, "model_fields"):
                names |= _schema_fields(arg)
    return names


def test_every_api_parameter_naming_an_object_is_probed() -> None:
    from ecer.web.api import api

    found: dict[str, set[str]] = {}
    for _prefix, router in api._routers:
        for path_view in router.path_operations.values():
            for operation in path_view.operations:
                names: set[str] = set()
                for model in operation.models:
                    names |= _schema_fields(model)
                object_names = names & OBJECT_NAMES
                if object_names:
                    found[operation.view_func.__name__] = object_names
    assert found == API_OBJECT_PARAMETERS


@pytest.mark.django_db
@pytest.mark.parametrize("role", ["department", "district", "enterprise"])
def test_api_parameters_out_of_scope_are_refused(rich_world: World, client: Any, role: str) -> None:
    import json

    from ecer.web.catalog.models import Observation, Target

    w = rich_world
    _login(client, w, role)
    before = _history_rows()
    bad_area, bad_target = outside(role, Area), outside(role, Target)
    good = _observation_data(w, role)
    for field, bad in (("area", bad_area), ("target", bad_target)):
        if bad is None:
            continue
        body = {
            "target": (bad if field == "target" else Target.objects.get(pk=good["target"])).code,
            "area": (bad if field == "area" else Area.objects.get(pk=good["area"])).code,
            "year": 2024,
            "value": 1.0,
            "unit": Target.objects.get(pk=good["target"]).observation_unit,
        }
        response = client.post(
            "/api/observations", json.dumps(body), content_type="application/json"
        )
        assert response.status_code in (400, 403), (role, field, response.content)
    other_obs = outside(role, Observation)
    if other_obs is not None:
        response = client.post(
            f"/api/observations/{other_obs.pk}/correct",
            json.dumps({"value": 1.0, "reason": "x"}),
            content_type="application/json",
        )
        assert response.status_code in (403, 404)
    firm = outside(role, apps.get_model("enterprises.Enterprise"))
    assert firm is not None
    response = client.post(
        "/api/meters/readings",
        json.dumps({"enterprise": firm.credit_code, "readings": []}),
        content_type="application/json",
    )
    assert response.status_code in (403, 404)
    response = client.post(
        f"/api/enterprises/{firm.credit_code}/reports/2023/approve",
        json.dumps({"justification": ""}),
        content_type="application/json",
    )
    assert response.status_code in (403, 404)
    assert _history_rows() == before
