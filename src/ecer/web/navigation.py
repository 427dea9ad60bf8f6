"""The site's navigation as data: groups of items, each a URL name and who sees it.

The base template renders ``NAVIGATION`` for the signed-in user's scope; the page being shown
is found from ``request.resolver_match`` (its view name), never from the path text. A new page
is one ``Item`` in the right group: ``visible`` says which scopes see it, ``covers`` which
other views count as "this item" (for the highlight and the breadcrumbs), and ``badge`` an
optional count shown beside it (to-do counts, unread notices).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

from django.http import HttpRequest
from django.urls import NoReverseMatch, reverse
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from ecer.web.accounts.scope import Scope

Visible = Callable[[Scope], bool]
Badge = Callable[[HttpRequest], int | None]


def everyone(scope: Scope) -> bool:
    return scope.has_access


def areas_users(scope: Scope) -> bool:
    """City administrators, leaders, departments and districts: the plan's area figures."""
    return scope.sees_all_areas or scope.role == "district"


def rights_holders(scope: Scope) -> bool:
    """City administrators and leaders see the ledger; an enterprise its own account (a
    department has no business with enterprises' holdings: docs/security.md)."""
    return scope.sees_all_enterprises or scope.role == "enterprise"


def monitoring_users(scope: Scope) -> bool:
    return scope.can_view_monitoring


def submitters(scope: Scope) -> bool:
    return scope.can_submit_anything


def reviewers(scope: Scope) -> bool:
    return scope.can_review


def auditors(scope: Scope) -> bool:
    return scope.role in ("city_admin", "leader")


def city_admins(scope: Scope) -> bool:
    return scope.is_city_admin


def key_holders(scope: Scope) -> bool:
    return scope.manages_own_api_keys


def case_handlers(scope: Scope) -> bool:
    """Alarm cases: those who see monitoring points, and departments (red-warning cases)."""
    return scope.can_view_monitoring or scope.role == "department"


def todo_badge(request: HttpRequest) -> int | None:
    """The to-do total (``ecer.web.home.todo``, the one place it is computed)."""
    from ecer.web.home import todo

    counts = todo.counts_for_request(request)
    return counts.get("total") or None if counts else None


@dataclass(frozen=True)
class Item:
    label: str | Promise
    url_name: str
    visible: Visible = everyone
    # Other views that belong to this item: "ns:name" exactly, or "ns:*" for a whole app.
    covers: tuple[str, ...] = ()
    badge: Badge | None = None
    dom_id: str = ""  # the link's HTML id, for an item pages and tests point at

    def matches(self, view_name: str) -> int:
        """How closely the shown view belongs here: 2 its own page, 1 covered, 0 not."""
        if view_name == self.url_name:
            return 2
        namespace = view_name.split(":", 1)[0]
        if view_name in self.covers or f"{namespace}:*" in self.covers:
            return 1
        return 0


@dataclass(frozen=True)
class Group:
    label: str | Promise
    items: tuple[Item, ...]
    slug: str = field(default="")


NAVIGATION: tuple[Group, ...] = (
    Group(
        _("规划与目标"),
        (
            Item(_("我的待办"), "home:todo", badge=todo_badge, dom_id="nav-todo"),
            Item(_("一张图"), "leaders:map", areas_users, covers=("leaders:*",)),
            Item(
                _("规划总览"),
                "catalog:dashboard",
                areas_users,
                covers=("catalog:area", "catalog:target", "catalog:export_targets"),
            ),
            Item(_("工作任务"), "tasks:list", areas_users, covers=("tasks:*",)),
            Item(
                _("数据填报"),
                "catalog:observations",
                submitters,
                covers=(
                    "catalog:observation",
                    "catalog:observation_new",
                    "catalog:observation_import",
                    "catalog:observation_submit",
                    "catalog:observation_approve",
                    "catalog:observation_return",
                    "catalog:observation_correct",
                    "catalog:filing",
                    "catalog:filing_export",
                    "catalog:filing_import",
                ),
            ),
            Item(_("待审核"), "catalog:review_queue", reviewers),
        ),
        "plan",
    ),
    Group(
        _("能耗双控"),
        (
            Item(_("能耗双控"), "energy:overview", areas_users, covers=("energy:*",)),
            Item(_("项目与预算"), "projects:register", areas_users, covers=("projects:*",)),
        ),
        "energy",
    ),
    Group(
        _("企业与监测"),
        (
            Item(
                _("重点用能单位"),
                "enterprises:list",
                covers=("enterprises:*",),
            ),
            Item(
                _("在线监控"), "monitoring:points", monitoring_users, covers=("monitoring:point",)
            ),
            Item(_("超标与异常报警"), "monitoring:alarms", monitoring_users),
            Item(_("数据有效率"), "monitoring:validity", monitoring_users),
            Item(_("闭环处置"), "cases:list", case_handlers, covers=("cases:*",)),
        ),
        "enterprises",
    ),
    Group(
        _("减排与项目"),
        (
            Item(_("减排工程"), "reductions:overview", areas_users, covers=("reductions:*",)),
            Item(_("重点工程"), "programmes:index", covers=("programmes:*",)),
            Item(_("用能权与排污权"), "rights:ledger", rights_holders, covers=("rights:*",)),
        ),
        "reductions",
    ),
    Group(
        _("考核与报告"),
        (
            Item(_("考核与报告"), "reports:index", areas_users, covers=("reports:*",)),
            Item(_("台账"), "registers:index", areas_users, covers=("registers:*",)),
            Item(_("数据质量"), "quality:findings", covers=("quality:*",)),
        ),
        "reports",
    ),
    Group(
        _("系统"),
        (
            Item(_("操作留痕"), "audit:search", auditors, covers=("audit:*",)),
            Item(
                _("API 密钥"),
                "enterprises:api_keys",
                key_holders,
                covers=("enterprises:api_key_revoke",),
            ),
            Item(_("后台管理"), "admin:index", city_admins, covers=("admin:*",)),
        ),
        "system",
    ),
)


@dataclass(frozen=True)
class ShownItem:
    label: str | Promise
    url: str
    current: bool  # the item the shown page belongs to
    own_page: bool  # the shown page is the item's own page
    badge: int | None
    dom_id: str = ""


@dataclass(frozen=True)
class ShownGroup:
    label: str | Promise
    slug: str
    items: list[ShownItem]

    @property
    def current(self) -> bool:
        return any(item.current for item in self.items)


def _url(name: str) -> str | None:
    try:
        return reverse(name)
    except NoReverseMatch:  # an app not installed in this configuration
        return None


def current_item(view_name: str, groups: Sequence[Group] = NAVIGATION) -> Item | None:
    """The item the view belongs to: its own page first, else the item that covers it."""
    best: tuple[int, Item | None] = (0, None)
    for group in groups:
        for item in group.items:
            closeness = item.matches(view_name)
            if closeness > best[0]:
                best = (closeness, item)
    return best[1]


def menu(request: HttpRequest, groups: Sequence[Group] = NAVIGATION) -> list[ShownGroup]:
    """The groups and items this request's user sees, the current one marked."""
    scope: Scope = request.scope  # type: ignore[attr-defined]
    match = getattr(request, "resolver_match", None)
    view_name = match.view_name if match else ""
    current = current_item(view_name, groups)
    shown = []
    for group in groups:
        items = []
        for item in group.items:
            if not item.visible(scope):
                continue
            url = _url(item.url_name)
            if url is None:
                continue
            items.append(
                ShownItem(
                    label=item.label,
                    url=url,
                    current=item is current,
                    own_page=item is current and view_name == item.url_name,
                    badge=item.badge(request) if item.badge else None,
                    dom_id=item.dom_id,
                )
            )
        if items:
            shown.append(ShownGroup(group.label, group.slug, items))
    return shown


def context(request: HttpRequest) -> dict[str, Any]:
    """Template context: ``nav_groups`` and the ``breadcrumbs`` (group, then item)."""
    if not getattr(request, "user", None) or not request.user.is_authenticated:
        return {}
    if not getattr(request, "scope", None) or not request.scope.has_access:  # type: ignore[attr-defined]
        return {"nav_groups": [], "breadcrumbs": []}
    groups = menu(request)
    crumbs: list[dict[str, Any]] = []
    for group in groups:
        for item in group.items:
            if item.current:
                crumbs = [
                    {"label": group.label, "url": group.items[0].url},
                    {"label": item.label, "url": item.url, "current": item.own_page},
                ]
    from ecer.web.catalog.models import Area

    scope: Scope = request.scope  # type: ignore[attr-defined]
    areas = list(scope.areas(Area.objects.exclude(kind=Area.Kind.CITY)))
    districts = district_links(request, areas)
    return {
        "nav_groups": groups,
        "breadcrumbs": crumbs,
        "districts": districts,
        "current_district": next((d for d in districts if d.current), None),
    }


# Pages about one district, by the URL keyword that names it: the district switcher keeps
# the reader on the same kind of page for the district chosen.
DISTRICT_PAGES = {
    "catalog:area": "code",
    "energy:district": "area_code",
    "projects:budget": "area_code",
    "quality:district": "area_code",
}


@dataclass(frozen=True)
class DistrictLink:
    name: str
    url: str
    current: bool


def district_links(request: HttpRequest, areas: Sequence[Any]) -> list[DistrictLink]:
    """One link per district the user sees: the same district page if one is shown, else the
    district's plan overview."""
    match = getattr(request, "resolver_match", None)
    view_name = match.view_name if match else ""
    keyword = DISTRICT_PAGES.get(view_name)
    shown_code = match.kwargs.get(keyword) if match and keyword else None
    links = []
    for area in areas:
        if keyword:
            kwargs = {**match.kwargs, keyword: area.code}  # type: ignore[union-attr]
            url = reverse(view_name, kwargs=kwargs)
            if request.GET:
                url += "?" + request.GET.urlencode()
        else:
            url = reverse("catalog:area", kwargs={"code": area.code})
        links.append(DistrictLink(area.name, url, area.code == shown_code))
    return links
