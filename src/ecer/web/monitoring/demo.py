"""Demo monitoring points (示例数据) with eight days of generated hourly data.

Invented outlets and figures, NOT real Beihai enterprises: they make the monitoring pages show
something. The data go the way real data go: each hour is an HJ 212-2017 hourly upload
(CN=2061) built as bytes, parsed by the codec and turned into measurements by
``ecer.hj212.storage.measurement_rows``. Among the four points:

- the wastewater treatment plant is normal; one hourly COD value is flagged D (instrument
  fault) with a high value, which is not an exceedance;
- the thermal power plant exceeds its NOx limit (converted to 6 % O2) in the last hours;
- the chemical plant has a data gap of six hours the day before;
- the ceramics kiln stopped sending four hours ago: it is offline.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from django.db import transaction

from ecer.core.monitoring import converted_concentration
from ecer.hj212.codec import STRICT, Frame, encode_frame, parse_frame
from ecer.hj212.storage import DATA_TIME_ZONE, STORED, frame_text, measurement_rows
from ecer.web.catalog.models import Area
from ecer.web.enterprises.demo import DEMO_ENTERPRISE_CODE
from ecer.web.monitoring.models import (
    Command,
    Measurement,
    Medium,
    MonitoringPoint,
    PointPollutant,
    RawFrame,
)

DEMO_HOURS = 8 * 24  # the point list looks back seven days
DEMO_PASSWORD = "123456"
# Points of the demo enterprises registered in ecer.web.enterprises.demo (the cement works is
# the demo enterprise user's own); the sewage plant is not a key energy-consuming unit.
SEWAGE_CODE = "91450502MA5HC00230"
ALUMINIUM_CODE = "91450512MA5TG0050F"
REFINERY_CODE = "91450512MA5TG0034R"

# (code, upper, lower, reference O2, standard)
Limit = tuple[str, float | None, float | None, float | None, str]


@dataclass(frozen=True)
class DemoPoint:
    mn: str
    name: str
    enterprise_name: str
    enterprise_code: str
    area: str
    outlet: str
    medium: str
    limits: tuple[Limit, ...]
    levels: dict[str, float]  # mean Avg of each factor, in its HJ 212 unit
    location: tuple[float, float]  # (longitude, latitude) [°], invented, inside its district


GB18918 = "GB 18918-2002 一级A（示例）"
ULTRA_LOW = "燃煤电厂超低排放（示例）"
GB8978 = "GB 8978-1996 一级（示例）"
GB4915 = "GB 4915-2013 水泥窑（示例）"

POINTS = (
    DemoPoint(
        "ECERDEMO0000000000000001",
        "示例污水处理厂 总排口",
        "北海示例污水处理有限公司（示例数据）",
        SEWAGE_CODE,
        "haicheng",
        "DW001",
        Medium.WATER,
        (
            ("w01018", 50.0, None, None, GB18918),
            ("w21003", 5.0, None, None, GB18918),
            ("w01001", 9.0, 6.0, None, GB18918),
            ("w00000", None, None, None, ""),
        ),
        {"w01018": 28.0, "w21003": 1.6, "w01001": 7.2, "w00000": 120.0},
        (109.11, 21.47),
    ),
    DemoPoint(
        "ECERDEMO0000000000000002",
        "示例铝业自备电厂 1#锅炉烟囱",
        "北海示例铝业有限公司（示例数据）",
        ALUMINIUM_CODE,
        "tieshangang",
        "DA001",
        Medium.GAS,
        (
            ("a21026", 35.0, None, 6.0, ULTRA_LOW),
            ("a21002", 50.0, None, 6.0, ULTRA_LOW),
            ("a34013", 10.0, None, 6.0, ULTRA_LOW),
            ("a19001", None, None, None, ""),
            ("a00000", None, None, None, ""),
        ),
        {"a21026": 18.0, "a21002": 30.0, "a34013": 4.0, "a19001": 9.0, "a00000": 150.0},
        (109.481, 21.581),
    ),
    DemoPoint(
        "ECERDEMO0000000000000003",
        "示例石化企业 废水总排口",
        "北海示例石化有限公司（示例数据）",
        REFINERY_CODE,
        "tieshangang",
        "DW001",
        Medium.WATER,
        (
            ("w01018", 100.0, None, None, GB8978),
            ("w21003", 15.0, None, None, GB8978),
            ("w00000", None, None, None, ""),
        ),
        {"w01018": 62.0, "w21003": 6.5, "w00000": 18.0},
        (109.552, 21.518),
    ),
    DemoPoint(
        "ECERDEMO0000000000000004",
        "示例水泥企业 窑尾排放口",
        "合浦示例水泥有限公司（示例数据）",
        DEMO_ENTERPRISE_CODE,
        "hepu",
        "DA002",
        Medium.GAS,
        (
            ("a21026", 200.0, None, 10.0, GB4915),
            ("a21002", 400.0, None, 10.0, GB4915),
            ("a34013", 30.0, None, 10.0, GB4915),
            ("a19001", None, None, None, ""),
            ("a00000", None, None, None, ""),
        ),
        {"a21026": 40.0, "a21002": 260.0, "a34013": 12.0, "a19001": 11.0, "a00000": 22.0},
        (109.161, 21.621),
    ),
)
FLOW_CODES = ("w00000", "a00000")
NOX_EXCEEDANCE_HOURS = 3  # the power plant's last hours
GAP_HOURS = range(30, 36)  # the chemical plant's missing hours, counted back from now
OFFLINE_HOURS = 4  # the kiln sent nothing in the last hours
FAULT_HOUR = 40  # the treatment plant's COD flagged D


def _value(point: DemoPoint, code: str, hour: int) -> float:
    """A value that wanders smoothly around the factor's level, different at each point."""
    seed = int(point.mn[-2:]) * 7 + len(code)
    wobble = 0.12 * math.sin(hour / 3.0 + seed) + 0.05 * math.sin(hour * 1.7 + seed)
    if code in ("w01001", "a19001"):  # pH and O2 vary little
        wobble /= 4
    return point.levels[code] * (1 + wobble)


def _cp(point: DemoPoint, hour: int, ago: int) -> str:
    """CP items of one hourly upload; ``ago`` = hours before the newest one (0 = newest)."""
    values = {code: _value(point, code, hour) for code in point.levels}
    if point.mn.endswith("02") and ago < NOX_EXCEEDANCE_HOURS:
        values["a21002"] = 48.0 + ago  # ≈ 60 mg/m³ converted to 6 % O2: above 50
    items = []
    for code, value in values.items():
        flag = "D" if point.mn.endswith("01") and code == "w01018" and ago == FAULT_HOUR else "N"
        if flag == "D":
            value = 180.0
        item = f"{code}-Avg={value:.3f}"
        if code in FLOW_CODES:
            # Volume of the hour [m³]: water flow in L/s (1 m³ = 1000 L), gas in m³/s.
            volume = value * 3600 / (1000.0 if code == "w00000" else 1.0)
            item += f",{code}-Cou={volume:.2f}"
        reference = next((lim[3] for lim in point.limits if lim[0] == code), None)
        if reference is not None:
            zs = converted_concentration(value, values["a19001"], reference)
            item += f",{code}-ZsAvg={zs:.3f}"
        items.append(f"{item},{code}-Flag={flag}")
    return ";".join(items)


def _hours_sent(point: DemoPoint) -> list[int]:
    """Hours before the newest hour that the point sent (0 = the newest complete hour)."""
    hours = list(range(DEMO_HOURS))
    if point.mn.endswith("03"):
        hours = [h for h in hours if h not in GAP_HOURS]
    if point.mn.endswith("04"):
        hours = [h for h in hours if h >= OFFLINE_HOURS]
    return hours


ALREADY_LOADED = "monitoring demo: already loaded"


@transaction.atomic
def ensure_demo_points(now: datetime) -> str:
    """Create the demo points and their data once; later runs change nothing."""
    # By MN: generated points (ecer demo generate) are marked is_demo too.
    if MonitoringPoint.objects.filter(mn__in=[p.mn for p in POINTS]).exists():
        return ALREADY_LOADED
    zone = ZoneInfo(DATA_TIME_ZONE)
    newest = now.astimezone(zone).replace(minute=0, second=0, microsecond=0) - timedelta(hours=1)
    frames = measurements = 0
    for spec in POINTS:
        point = MonitoringPoint.objects.create(
            mn=spec.mn,
            name=spec.name,
            enterprise_name=spec.enterprise_name,
            enterprise_code=spec.enterprise_code,
            area=Area.objects.filter(code=spec.area).first(),
            outlet=spec.outlet,
            medium=spec.medium,
            password=DEMO_PASSWORD,
            data_cn=Command.HOURLY,
            interval_seconds=3600,
            longitude=spec.location[0],
            latitude=spec.location[1],
            is_demo=True,
        )
        PointPollutant.objects.bulk_create(
            PointPollutant(
                point=point,
                pollutant=code,
                upper_limit=upper,
                lower_limit=lower,
                reference_o2=o2,
                standard=standard,
            )
            for code, upper, lower, o2, standard in spec.limits
        )
        st = "32" if spec.medium == Medium.WATER else "31"
        # A point's frames in one insert, then their measurements in another.
        sent: list[tuple[RawFrame, Frame]] = []
        for ago in _hours_sent(spec):
            data_time = newest - timedelta(hours=ago)
            hour = DEMO_HOURS - ago
            received_at = min(now, data_time + timedelta(hours=1, seconds=30))
            qn = f"{received_at.astimezone(zone):%Y%m%d%H%M%S}000"
            data = encode_frame(
                f"QN={qn};ST={st};CN={Command.HOURLY};PW={DEMO_PASSWORD};MN={spec.mn};Flag=4;"
                f"CP=&&DataTime={data_time:%Y%m%d%H%M%S};{_cp(spec, hour, ago)}&&"
            )
            frame = parse_frame(data, STRICT)
            raw = RawFrame(
                received_at=received_at,
                peer="示例数据",
                mn=spec.mn,
                qn=qn,
                cn=Command.HOURLY,
                data_time=data_time,
                data=data,
                text=frame_text(data),
                status=STORED,
            )
            sent.append((raw, frame))
        RawFrame.objects.bulk_create(raw for raw, _frame in sent)
        rows = [
            Measurement(
                point=point,
                data_time=raw.data_time,
                cn=Command.HOURLY,
                pollutant=code,
                kind=kind,
                value=value,
                flag=flag,
                frame=raw,
            )
            for raw, frame in sent
            for code, kind, value, flag in measurement_rows(frame)
        ]
        Measurement.objects.bulk_create(rows)
        frames += len(sent)
        measurements += len(rows)
    return (
        f"monitoring demo (示例数据): {len(POINTS)} points, {frames} hourly frames, "
        f"{measurements} measurements"
    )
