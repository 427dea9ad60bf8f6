"""Every list page sorts, searches, pages and exports exactly the rows of its list (issue #22,
item 3); sort and search come from a whitelist and never widen the user's scope."""

from __future__ import annotations

import datetime as dt
import io
from html.parser import HTMLParser
from typing import Any

import openpyxl
import pytest
from django.test import RequestFactory

from ecer.web.accounts.models import Membership, Role
from ecer.web.catalog.models import Area
from ecer.web.listing import Column, Listing
from ecer.web.rights.models import Trade
from tests.web.test_no_english import VisibleText, english_words

pytestmark = pytest.mark.django_db


class ListTable(HTMLParser):
    """The header labels and the body rows (cell texts) of the page's table[data-listing]."""

    def __init__(self) -> None:
        super().__init__()
        self.depth = 0  # >0 inside the listing table
        self.part = ""
        self.headers: list[str] = []
        self.rows: list[list[str]] = []
        self.cell: list[str] | None = None
        self.row: list[str] | None = None
        self.empty_row = False

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag == "table":
            if self.depth or "data-listing" in dict(attrs):
                self.depth += 1
            return
        if not self.depth:
            return
        if tag in ("thead", "tbody"):
            self.part = tag
        elif tag == "tr":
            self.row = []
            # A detail line under a row (validity: the enterprise's points) is not a row.
            self.empty_row = "sub" in (dict(attrs).get("class") or "").split()
        elif tag in ("td", "th"):
            self.cell = []
            if dict(attrs).get("colspan"):
                self.empty_row = True

    def handle_endtag(self, tag: str) -> None:
        if not self.depth:
            return
        if tag == "table":
            self.depth -= 1
        elif tag in ("td", "th") and self.cell is not None and self.row is not None:
            self.row.append(" ".join("".join(self.cell).split()))
            self.cell = None
        elif tag == "tr" and self.row is not None:
            if self.part == "thead":
                self.headers = self.row
            elif not self.empty_row:
                self.rows.append(self.row)
            self.row = None

    def handle_data(self, data: str) -> None:
        if self.cell is not None:
            self.cell.append(data)


def list_table(html: str) -> ListTable:
    parser = ListTable()
    parser.feed(html)
    return parser


def export_rows(response: Any) -> tuple[list[str], list[list[Any]]]:
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    sheet = openpyxl.load_workbook(io.BytesIO(response.content)).active
    rows = [list(r) for r in sheet.iter_rows(values_only=True)]
    return [str(h) for h in rows[0]], rows[1:]


def as_text(value: Any) -> str:
    """How an exported value reads on the page, or "" where the page formats it its own way
    (numbers)."""
    if isinstance(value, dt.datetime) and value.time() == dt.time(0):
        return value.date().isoformat()  # a date cell reads back as midnight
    if isinstance(value, dt.datetime):
        return value.strftime("%Y-%m-%d %H:%M")
    if isinstance(value, dt.date):
        return value.isoformat()
    if value is None or isinstance(value, (int, float)):
        return ""
    return str(value)


def shown_total(html: str) -> int:
    marker = 'data-testid="list-total">'
    start = html.index(marker) + len(marker)
    return int("".join(ch for ch in html[start : html.index("<", start)] if ch.isdigit()))


# Each list page with a sort and a search that keep a few rows; the export must hold every
# row of the list (the page shows the first of them) in the same order with the same headers.
LIST_PAGES = [
    ("/observations/", "sort=-value&status=approved"),
    ("/observations/", "q=海城&sort=period"),
    ("/enterprises/", "sort=-tce"),
    ("/enterprises/", "q=示例&sort=area&key=yes"),
    ("/monitoring/", "sort=-validity"),
    ("/monitoring/alarms/", "sort=point&start=2020-01-01&end=2020-03-31"),
    ("/monitoring/alarms/", "sort=-start"),
    ("/monitoring/validity/", "sort=rate"),
    ("/tasks/", "sort=-due&q=三"),
    ("/projects/", "sort=-tce"),
    ("/reductions/", "sort=-name"),
    ("/rights/", "sort=-balance"),
    ("/registers/coal_boilers_small/", "sort=-identifier"),
    ("/audit/", "sort=when"),
    ("/audit/", "sort=-when&model=projects.project"),
    ("/monitoring/points/{point}/", "sort=value"),
    ("/monitoring/points/{point}/", "q=N&sort=-time"),
    ("/review/", "sort=-value"),
    ("/review/", "q=北海&sort=area"),
    ("/quality/", "status=&sort=severity"),
    ("/quality/", "status=&q=规模&sort=-found"),
    ("/notifications/", "sort=title"),
    ("/notifications/", "q=到期&unread=1"),
    ("/notifications/deliveries/", "sort=title"),
    ("/notifications/deliveries/", "q=到期&state=sent&sort=-time"),
    ("/rights/accounts/{account}/", "sort=-delta"),
    ("/rights/accounts/{account}/", "q=初始分配&sort=kind"),
    ("/tasks/league/", "year=2025&quarter=4&sort=-overdue"),
    ("/tasks/league/", "q=县&sort=unit"),
    ("/enterprises/benchmarks/", "year=2024&sort=-value"),
    ("/enterprises/benchmarks/", "q=水泥&sort=position"),
    ("/energy/", "year=2024&sort=-gross"),
    ("/energy/", "year=2024&q=海&sort=name"),
    ("/cases/", "sort=state"),
    ("/cases/", "state=open&q=示例&sort=-due"),
    ("/programmes/transport_logistics/", "sort=-planned"),
    ("/programmes/transport_logistics/", "status=on_schedule&q=示例&sort=-percent"),
]

# A period before the demo's data: the empty list still exports its headers.
EMPTY_ON_PURPOSE = {("/monitoring/alarms/", "sort=point&start=2020-01-01&end=2020-03-31")}


@pytest.fixture
def list_rows(full_demo: Any, admin_client: Any) -> dict[str, str]:
    """Rows for the lists the demo leaves empty, made the way users make them: figures
    submitted for review (which the data-quality run then checks), notifications, and the
    demo rights ledger; and the objects the paths name."""
    from django.contrib.auth import get_user_model

    from ecer.web.audit import workflow
    from ecer.web.catalog.models import Observation
    from ecer.web.enterprises.demo import DEMO_ENTERPRISE_CODE
    from ecer.web.monitoring.models import MonitoringPoint
    from ecer.web.notifications import outbox
    from ecer.web.notifications.models import Kind
    from ecer.web.quality import services as quality
    from ecer.web.rights.demo import load_demo as load_rights

    boss = get_user_model().objects.get(username="boss")
    for figure in Observation.objects.filter(year=2024).order_by("area__code", "pk")[:6]:
        draft = Observation.objects.create(
            target=figure.target, area=figure.area, year=2025, value=figure.value * 2
        )
        workflow.submit(draft, boss)
    quality.run_all()
    for n in range(3):
        outbox.notify([boss], outbox.Message(Kind.OVERDUE, f"到期提醒 {n}", "请报送", "/"))
    list(load_rights())
    # Cases, as the scheduled jobs open them: from the alarms judged and the red warnings.
    from django.utils import timezone

    from ecer.web.cases import services as cases
    from ecer.web.monitoring.journal import refresh

    refresh(timezone.now())
    cases.open_from_alarms(timezone.now())
    cases.open_from_warnings(2025, timezone.now())
    point = MonitoringPoint.objects.order_by("pk").first()
    assert point is not None
    return {"point": str(point.pk), "account": DEMO_ENTERPRISE_CODE}


@pytest.mark.parametrize(("path", "query"), LIST_PAGES)
def test_the_export_holds_the_rows_of_the_list(
    list_rows: dict[str, str], admin_client: Any, path: str, query: str
) -> None:
    path = path.format(**list_rows)
    page = admin_client.get(f"{path}?{query}")
    assert page.status_code == 200
    html = page.content.decode()
    table = list_table(html)
    total = shown_total(html)
    if (path, query) not in EMPTY_ON_PURPOSE:
        assert total > 0, "the query keeps no row: the checks below would hold trivially"
    headers, rows = export_rows(admin_client.get(f"{path}?{query}&export=xlsx"))
    # The same columns under the same names (a sort arrow aside) …
    assert [h.rstrip(" ▲▼") for h in table.headers] == headers
    # … every row of the list, the shown page first and in the order shown.
    assert len(rows) == total
    assert len(table.rows) == min(total, page.context["page"].paginator.per_page)
    for shown, exported in zip(table.rows, rows, strict=False):
        for cell, value in zip(shown, exported, strict=True):
            assert as_text(value) in cell, (headers, shown, exported)
    # The button says what it exports.
    assert f"导出 Excel（筛选结果全部 {total} 项）" in html
    # Sorted and searched, the page still speaks Chinese only (test_no_english's scan; the
    # user's name and the demo trade's reference are data).
    visible = VisibleText()
    visible.feed(html)
    data = frozenset({"boss", *Trade.objects.values_list("reference", flat=True)})
    assert english_words(" ".join(visible.parts), data) == []


def test_pages_the_list_and_keeps_the_filters_in_the_links(
    full_demo: Any, admin_client: Any
) -> None:
    html = admin_client.get("/observations/?status=approved&sort=-value&q=生活").content.decode()
    # Sort links keep the filters and the search, and start again at page 1.
    assert 'href="?status=approved&amp;sort=value&amp;q=%E7%94%9F%E6%B4%BB"' in html
    # The search form repeats the filters; the filter form repeats search and sort.
    assert '<input type="hidden" name="status" value="approved">' in html
    assert '<input type="hidden" name="q" value="生活">' in html
    assert 'aria-sort="descending"' in html
    everything = admin_client.get("/observations/?status=approved").content.decode()
    assert shown_total(everything) > 50
    assert 'data-testid="pager"' in everything and "page=2" in everything


def test_a_sort_that_names_no_column_is_ignored(full_demo: Any, admin_client: Any) -> None:
    default = list_table(admin_client.get("/observations/").content.decode()).rows
    for hostile in ("password", "-submitted_by__password", "value;drop", "__class__", "-"):
        response = admin_client.get("/observations/", {"sort": hostile})
        assert response.status_code == 200
        assert list_table(response.content.decode()).rows == default
        assert response.context["listing"].sort == "-updated"


def test_a_search_stays_inside_the_scope(
    full_demo: Any, client: Any, django_user_model: Any
) -> None:
    user = django_user_model.objects.create_user("hc", "", "pw-for-tests-only-1")
    Membership.objects.create(user=user, role=Role.DISTRICT, area=Area.objects.get(code="haicheng"))
    client.force_login(user)
    for query in ("", "铁山港", "9145"):
        html = client.get("/enterprises/", {"q": query, "sort": "-tce"}).content.decode()
        areas = {row[2] for row in list_table(html).rows}
        assert areas <= {"海城区"}
        _headers, rows = export_rows(
            client.get("/enterprises/", {"q": query, "sort": "-tce", "export": "xlsx"})
        )
        assert {r[2] for r in rows} <= {"海城区"}
    rows_shown = list_table(client.get("/observations/?q=铁山港").content.decode()).rows
    assert rows_shown == []


def test_rows_without_a_value_sort_last_both_ways() -> None:
    listing = Listing(
        name="t",
        title="t",
        columns=(Column("n", "n", lambda r: r["n"], numeric=True),),
        search_text=lambda r: str(r["n"]),
    )
    rows = [{"n": 2}, {"n": None}, {"n": 10}, {"n": 1}]
    factory = RequestFactory()
    up = listing.run(factory.get("/", {"sort": "n"}), rows)
    down = listing.run(factory.get("/", {"sort": "-n"}), rows)
    assert [r["n"] for r in up.rows] == [1, 2, 10, None]
    assert [r["n"] for r in down.rows] == [10, 2, 1, None]
    assert [r["n"] for r in listing.run(factory.get("/", {"q": "1"}), rows).rows] == [10, 1]
    # Descending header links ask for ascending, and the other columns for their own.
    assert down.headers[0].query == "n" and down.headers[0].direction == "desc"


def test_a_listing_name_must_fit_a_file_name() -> None:
    with pytest.raises(ValueError, match="listing name"):
        Listing(name="../x", title="t", columns=())
