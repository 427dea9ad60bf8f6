"""No English text, object repr or code on a Chinese page (issue #22 item 4).

The test logs in one user per role, follows every link from the role's landing page
(breadth first, at most PAGES_PER_ROLE pages, skipping /admin/, /api/, exports and
downloads) and scans the *visible* text of every HTML page for ASCII words.

Visible text: text nodes and ``title`` attributes (hover text is read by users), minus
<script>, <style>, <textarea> (an editor's content is data being edited, not page text)
and <option> values' attributes; other attributes are not shown and are ignored.

A word passes if it is a unit or code users know (ALLOWED) or matches an identifier that
is data (IDENTIFIER_PATTERNS: unified social credit codes, MN codes, usernames, file names,
register item identifiers). Everything else fails, listed as (page, word).
"""

from __future__ import annotations

import re
from collections import deque
from html.parser import HTMLParser
from typing import Any
from urllib.parse import urljoin, urlparse

import pytest

from ecer.web.accounts.models import Role
from ecer.web.catalog.models import Area, Department

pytestmark = [pytest.mark.django_db, pytest.mark.crawl]

PAGES_PER_ROLE = 400
SKIP = ("/admin", "/api/", "/logout", "/i18n", "/static", "/media", "/export", "/download")
SKIP_SUFFIX = (".xlsx", ".pdf", ".csv", ".json", ".txt", ".zip", ".png", ".svg")

# Units and codes users know (pollutants, file formats, standards, accounting abbreviations).
ALLOWED = frozenset(
    [
        "COD",
        "NOx",
        "VOCs",
        "NH3-N",
        "NH3",
        "N",
        "CO2",
        "SO2",
        "PM2.5",
        "PM10",
        "O3",
        "pH",
        "TN",
        "TP",
        "PDF",
        "Excel",
        "CSV",
        "xlsx",
        "csv",
        "API",
        "HJ",
        "GB",
        "GB/T",
        "T",
        "MN",
        "CN",
        "ST",
        "PW",
        "QN",
        "CP",
        "CRC",
        "tce",
        "kgce",
        "kWh",
        "MWh",
        "GWh",
        "kW",
        "MW",
        "GW",
        "km",
        "kg",
        "mg",
        "L",
        "m3",
        "Nm3",
        "t",
        "GJ",
        "MJ",
        "TJ",
        "kJ",
        "h",
        "kgoe",
        "m",
        "s",
        "d",
        "a",
        "yuan",
        "GDP",
        "LMDI",
        "Webhook",  # what WeCom and DingTalk call a group robot's address
        "LMDI-I",
        "ECER",
        "CEMS",
        "ID",
        "LED",
        "LNG",
        "LPG",
        "PV",
        "SCR",
        "SNCR",
        "Q1",
        "Q2",
        "Q3",
        "Q4",
        "English",
        "Word",
    ]
)

IDENTIFIER_PATTERNS = [
    re.compile(r"[0-9A-HJ-NPQRTUWXY]{2}\d{6}[0-9A-HJ-NPQRTUWXY]{10}"),  # unified social credit
    re.compile(r"[0-9A-Z]{14,24}"),  # HJ 212 MN codes (and test firms' codes)
    re.compile(r"[\w.-]+\.(?:xlsx|xls|csv|pdf|txt|json|docx?|png|jpe?g)", re.I),  # file names
    re.compile(r"[A-Z]{1,3}-\d{1,3}"),  # an enterprise's own meter or unit number: E-01
    re.compile(r"[wa]\d{5}"),  # HJ 212 pollutant codes (w01018 COD) shown beside the name
    re.compile(r"[A-Z]{1,3}\d*"),  # short capital codes: pollutant and HJ 212 field codes
]

WORD = re.compile(r"[A-Za-z0-9][A-Za-z0-9_./+^\-]*")


class VisibleText(HTMLParser):
    """Collects visible text and links of one page."""

    HIDDEN = frozenset({"script", "style", "textarea", "template"})

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []
        self.links: list[str] = []
        self._hidden = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in self.HIDDEN:
            self._hidden += 1
        values = dict(attrs)
        if values.get("title"):
            self.parts.append(values["title"] or "")
        if tag == "a" and values.get("href"):
            self.links.append(values["href"] or "")

    def handle_endtag(self, tag: str) -> None:
        if tag in self.HIDDEN and self._hidden:
            self._hidden -= 1

    def handle_data(self, data: str) -> None:
        if not self._hidden:
            self.parts.append(data)


# Keys a user types where the page asks for them: the observation import file's column
# headers (a data format, not prose).
PAGE_KEYS = {
    "/observations/import/": frozenset(
        ["area", "target", "year", "quarter", "value", "unit", "source", "note"]
    ),
}


def english_words(text: str, usernames: frozenset[str] = frozenset()) -> list[str]:
    """ASCII words in ``text`` that are neither known units/codes nor data identifiers."""
    found = []
    for word in WORD.findall(text):
        word = word.rstrip("./-")
        if "^" in word:  # a power written for programmers: 10^4 kWh
            found.append(word)
            continue
        if not re.search("[A-Za-z]", word) or word in ALLOWED or word in usernames:
            continue
        if any(pattern.fullmatch(word) for pattern in IDENTIFIER_PATTERNS):
            continue
        if "/" in word and all(part in ALLOWED for part in word.split("/")):
            continue  # a compound unit or format list: mg/L, kWh/t, Excel/CSV
        found.append(word)
    return found


def crawl(client: Any, usernames: frozenset[str]) -> dict[str, list[str]]:
    """Leaks per page, following links from / breadth first."""
    seen: set[str] = set()
    queue: deque[str] = deque(["/"])
    leaks: dict[str, list[str]] = {}
    while queue and len(seen) < PAGES_PER_ROLE:
        path = queue.popleft()
        if path in seen:
            continue
        seen.add(path)
        response = client.get(path)
        assert response.status_code < 500, f"{path}: {response.status_code}"
        if response.status_code != 200 or "text/html" not in response.get("Content-Type", ""):
            continue
        parser = VisibleText()
        parser.feed(response.content.decode())
        words = english_words(" ".join(parser.parts), usernames | PAGE_KEYS.get(path, frozenset()))
        if words:
            leaks[path] = sorted(set(words))
        for href in parser.links:
            url = urlparse(urljoin("http://testserver" + path, href))
            if url.netloc != "testserver" or any(s in url.path for s in SKIP):
                continue
            if url.path.endswith(SKIP_SUFFIX):
                continue
            target = url.path + (f"?{url.query}" if url.query and len(url.query) < 60 else "")
            if target not in seen:
                queue.append(target)
    return leaks


def test_the_scanner_finds_english(client: Any) -> None:
    """The scan can fail: English, object reprs and None are reported; units are not."""
    parser = VisibleText()
    parser.feed(
        "<p title='Hover note'>ReductionLine object (11) 2026-12-05 None 10^4 kWh</p>"
        '<script>var English = 1</script><textarea>{"k": 1}</textarea>'
        "<p>COD 12 吨，NOx，PM2.5，91450521MA5HP0040E，report.pdf，tce</p>"
    )
    assert english_words(" ".join(parser.parts)) == [
        "Hover",
        "note",
        "ReductionLine",
        "object",
        "None",
        "10^4",
    ]


ROLES = {
    "city_admin": {"role": Role.CITY_ADMIN},
    "leader": {"role": Role.LEADER},
    "department": {"role": Role.DEPARTMENT},
    "district": {"role": Role.DISTRICT},
    "enterprise": {"role": Role.ENTERPRISE, "enterprise_code": "91450521MA5HP0040E"},
}


@pytest.mark.parametrize("role", ROLES)
def test_no_english_on_any_page(
    client: Any, full_demo: Any, django_user_model: Any, role: str
) -> None:
    from tests.web.accounts.conftest import make_user

    membership = dict(ROLES[role])
    if role == "department":
        membership["department"] = Department.objects.get(code="transport")
    if role == "district":
        membership["area"] = Area.objects.get(code="haicheng")
    user = make_user(django_user_model, f"u_{role}", **membership)
    if role == "city_admin":
        user.is_staff = True
        user.save()
    client.force_login(user)
    leaks = crawl(client, frozenset({user.username}))
    report = "\n".join(f"{page}: {', '.join(words)}" for page, words in sorted(leaks.items()))
    assert not leaks, f"English on {len(leaks)} pages:\n{report}"
