"""Simulated stations: realistic HJ 212-2017 traffic against a gateway, with ack latency.

Each :class:`Station` is one data logger on one outlet, water (ST=32: COD, NH3-N, flow, pH)
or flue gas (ST=31: NOx, SO2, dust, O2, flue gas flow and temperature). Values wander
around plausible levels; converted (折算) concentrations follow the reference-oxygen rule
and cumulative values (Cou) the emitted mass over the interval, so the data look like a
real outlet's.

Modes (:func:`simulate`):

* realistic: on connecting, a station sends yesterday's daily data (2031), the last
  hour's hourly data (2061) and the last minute-data interval (2051; "minute data" are
  10-minute data by default, as loggers usually send them); then real-time data (2011)
  every ``realtime_interval`` seconds, and 2051/2061/2031 whenever the clock passes an
  interval boundary.
* burst (load test): minute data back to back, each stepping 10 minutes further into the
  past, the next one sent as soon as the previous one is answered.
* replay: the bytes of a capture file (e.g. the corpus) sent by every station.

Every data frame asks for a reply (Flag=5: HJ 212-2017, A bit); replies (9014) are matched
by QN and timed.
"""

from __future__ import annotations

import asyncio
import contextlib
import random
import statistics
import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from pathlib import Path
from typing import Final

from ecer.hj212.codec import LENIENT, FrameError, encode_frame, parse_frame
from ecer.hj212.framing import FrameSplitter, RawFrame, split_stream
from ecer.hj212.storage import PointSpec

REALTIME: Final = "2011"
MINUTE: Final = "2051"
HOURLY: Final = "2061"
DAILY: Final = "2031"
# Data interval of each command [s]; minute data every 10 minutes (the loggers' usual setting).
INTERVALS: Final = {MINUTE: 600, HOURLY: 3600, DAILY: 86400}
# GB 13223-2011 5.2: reference oxygen content of coal-fired boilers [%].
REFERENCE_O2_PERCENT: Final = 6.0
DEFAULT_PASSWORD: Final = "123456"


def converted_concentration(measured: float, o2_percent: float, reference_o2: float) -> float:
    """Concentration converted to the reference oxygen content (折算浓度).

    measured: Measured concentration [mg/m³]. o2_percent: Measured O2 [%].
    reference_o2: Reference O2 of the emission standard [%].
    Returns the converted concentration [mg/m³].

    References: GB 13223-2011 5.2; HJ 75-2017 (ρ = ρ' × (21 − φ(O2)) / (21 − φ'(O2))).
    """
    # GB 13223-2011 5.2: ρ = ρ' × (21 − reference O2) / (21 − measured O2).
    return measured * (21.0 - reference_o2) / (21.0 - o2_percent)


def emitted_mass_kg(concentration: float, flow_per_second: float, seconds: float) -> float:
    """Mass emitted over an interval (the Cou value of a pollutant).

    concentration: Mean concentration [mg/L for water, mg/m³ for gas].
    flow_per_second: Mean flow [L/s for water, m³/s for gas].
    seconds: Length of the interval [s].
    Returns the mass [kg].

    References: HJ 212-2017 Annex B (units of Rtd/Avg and of Cou); HJ 75-2017 (emission
    amount = concentration × flow × time).
    """
    # Emitted mass = concentration × flow × time; 1 mg = 1e-6 kg.
    return concentration * flow_per_second * seconds * 1e-6


@dataclass(frozen=True, slots=True)
class Station:
    """A simulated data logger. medium: ``water`` or ``gas``. seed: For its random values."""

    mn: str
    password: str
    medium: str
    seed: int

    @property
    def system_code(self) -> str:
        """ST: 32 surface-water pollution source, 31 air pollution source (HJ 212-2017 6.6.2)."""
        return "32" if self.medium == "water" else "31"

    def point_spec(self) -> PointSpec:
        """The monitoring point to register for this station."""
        kind = "废水" if self.medium == "water" else "废气"
        return PointSpec(
            mn=self.mn,
            password=self.password,
            name=f"模拟{kind}排放口 {self.mn[-4:]}",
            enterprise_name="模拟企业",
            outlet=f"DW{self.seed % 1000:03d}"
            if self.medium == "water"
            else f"DA{self.seed % 1000:03d}",
            medium=self.medium,
        )


def station_fleet(
    count: int, prefix: str = "ECERSIM", password: str = DEFAULT_PASSWORD
) -> list[Station]:
    """``count`` stations with distinct MNs, alternately water and gas."""
    return [
        Station(f"{prefix}{index:08d}", password, "water" if index % 2 == 0 else "gas", index)
        for index in range(count)
    ]


# Plausible levels: (mean, relative spread) of each factor; units as in ecer.hj212.pollutants.
_WATER: Final = {
    "w01018": (45.0, 0.25),  # COD [mg/L]
    "w21003": (2.5, 0.4),  # NH3-N [mg/L]
    "w00000": (25.0, 0.3),  # wastewater flow [L/s]
    "w01001": (7.3, 0.05),  # pH [-]
}
_GAS: Final = {
    "a21002": (80.0, 0.3),  # NOx [mg/m³]
    "a21026": (35.0, 0.3),  # SO2 [mg/m³]
    "a34013": (8.0, 0.35),  # dust [mg/m³]
    "a19001": (9.0, 0.1),  # O2 [%]
    "a00000": (45.0, 0.2),  # flue gas flow [m³/s]
    "a01012": (120.0, 0.05),  # flue gas temperature [℃]
}
_GAS_CONVERTED: Final = ("a21002", "a21026", "a34013")
_WATER_MASS: Final = ("w01018", "w21003")


class Readings:
    """A station's values: each factor wanders around its level (seeded, reproducible)."""

    def __init__(self, station: Station) -> None:
        self.station = station
        self.random = random.Random(station.seed)
        self.levels = dict(_WATER if station.medium == "water" else _GAS)

    def _draw(self, code: str) -> float:
        mean, spread = self.levels[code]
        return max(0.0, self.random.gauss(mean, mean * spread / 3))

    def realtime_cp(self) -> str:
        """CP items of a real-time (2011) frame."""
        values = {code: self._draw(code) for code in self.levels}
        items = []
        for code, value in values.items():
            item = f"{code}-Rtd={value:.3f}"
            if code in _GAS_CONVERTED:
                zs = converted_concentration(value, values["a19001"], REFERENCE_O2_PERCENT)
                item += f",{code}-ZsRtd={zs:.3f}"
            items.append(item + f",{code}-Flag=N")
        return ";".join(items)

    def interval_cp(self, seconds: int) -> str:
        """CP items of minute/hourly/daily data (Min, Avg, Max, Cou) over ``seconds``."""
        stats = {}
        for code in self.levels:
            samples = [self._draw(code) for _ in range(6)]
            stats[code] = (min(samples), statistics.fmean(samples), max(samples))
        flow_code = "w00000" if self.station.medium == "water" else "a00000"
        flow = stats[flow_code][1]
        items = []
        for code, (low, mean, high) in stats.items():
            item = f"{code}-Min={low:.3f},{code}-Avg={mean:.3f},{code}-Max={high:.3f}"
            if code == flow_code:
                # Volume over the interval [m³]: water flow is in L/s (1 m³ = 1000 L).
                volume = mean * seconds / (1000.0 if code == "w00000" else 1.0)
                item += f",{code}-Cou={volume:.2f}"
            elif code in _WATER_MASS or code in _GAS_CONVERTED:
                item += f",{code}-Cou={emitted_mass_kg(mean, flow, seconds):.4f}"
            if code in _GAS_CONVERTED:
                zs = converted_concentration(mean, stats["a19001"][1], REFERENCE_O2_PERCENT)
                item += f",{code}-ZsAvg={zs:.3f}"
            items.append(item + f",{code}-Flag=N")
        return ";".join(items)


class QnClock:
    """Request codes (QN, ``YYYYMMDDhhmmsszzz``), strictly increasing per station."""

    def __init__(self) -> None:
        self._last = 0

    def next(self, now: float | None = None) -> str:
        millis = int((time.time() if now is None else now) * 1000)
        self._last = max(millis, self._last + 1)
        stamp = datetime.fromtimestamp(self._last / 1000)
        return f"{stamp:%Y%m%d%H%M%S}{self._last % 1000:03d}"


def data_frame(
    station: Station, readings: Readings, cn: str, data_time: datetime, qn: str
) -> bytes:
    """One upload of ``station``: real-time (2011) or interval (2051/2061/2031) data."""
    cp = readings.realtime_cp() if cn == REALTIME else readings.interval_cp(INTERVALS[cn])
    segment = (
        f"QN={qn};ST={station.system_code};CN={cn};PW={station.password};MN={station.mn};"
        f"Flag=5;CP=&&DataTime={data_time:%Y%m%d%H%M%S};{cp}&&"
    )
    return encode_frame(segment)


def interval_start(moment: datetime, seconds: int) -> datetime:
    """Start of the data interval of length ``seconds`` that contains ``moment``."""
    midnight = moment.replace(hour=0, minute=0, second=0, microsecond=0)
    elapsed = int((moment - midnight).total_seconds())
    return midnight + timedelta(seconds=elapsed - elapsed % seconds)


@dataclass(slots=True)
class SimulationReport:
    """Frames sent and answered, and how long the answers took."""

    stations: int
    connected: int = 0
    sent: int = 0
    expected: int = 0
    acknowledged: int = 0
    refused: int = 0  # answered 9011 (unknown MN, wrong PW, …): not stored
    errors: int = 0
    elapsed: float = 0.0
    latencies: list[float] = field(default_factory=list)

    def percentile(self, q: float) -> float:
        """Ack latency at quantile ``q`` (0-1) [ms]; NaN without answers."""
        if not self.latencies:
            return float("nan")
        ordered = sorted(self.latencies)
        return ordered[min(len(ordered) - 1, int(q * len(ordered)))] * 1000.0

    def text(self) -> str:
        rate = self.acknowledged / self.elapsed if self.elapsed else 0.0
        return "\n".join(
            [
                f"stations           {self.stations} ({self.connected} connected)",
                f"frames sent        {self.sent}",
                f"acknowledged       {self.acknowledged} of {self.expected} expected",
                *([f"refused (9011)     {self.refused}"] if self.refused else []),
                f"errors             {self.errors}",
                f"elapsed            {self.elapsed:.1f} s ({rate:.0f} acks/s)",
                f"ack latency p50    {self.percentile(0.5):.1f} ms",
                f"ack latency p95    {self.percentile(0.95):.1f} ms",
            ]
        )


class _Link:
    """One station's connection: sends frames, matches the replies by QN."""

    def __init__(self, report: SimulationReport) -> None:
        self.report = report
        self.reader: asyncio.StreamReader | None = None
        self.writer: asyncio.StreamWriter | None = None
        self.waiting: dict[str, float] = {}
        self.answered = asyncio.Event()
        self._listener: asyncio.Task[None] | None = None

    async def open(self, host: str, port: int) -> bool:
        try:
            self.reader, self.writer = await asyncio.open_connection(host, port, limit=1 << 20)
        except OSError:
            self.report.errors += 1
            return False
        self.report.connected += 1
        self._listener = asyncio.create_task(self._listen())
        return True

    async def send(self, frame: bytes, qn: str) -> None:
        """Send a frame that asks for a reply; the reply is matched by ``qn``."""
        assert self.writer is not None
        self.waiting[qn] = time.perf_counter()
        self.report.expected += 1
        self.writer.write(frame)
        self.report.sent += 1
        await self.writer.drain()

    async def _listen(self) -> None:
        assert self.reader is not None
        splitter = FrameSplitter()
        while chunk := await self.reader.read(1 << 16):
            for item in splitter.feed(chunk):
                if not isinstance(item, RawFrame):
                    continue
                try:
                    reply = parse_frame(item.data, LENIENT)
                except FrameError:
                    self.report.errors += 1
                    continue
                sent_at = self.waiting.pop(reply.qn or "", None)
                if sent_at is not None and reply.cn == "9011":  # refused, not stored
                    self.report.refused += 1
                    self.answered.set()
                elif sent_at is not None:
                    self.report.acknowledged += 1
                    self.report.latencies.append(time.perf_counter() - sent_at)
                    self.answered.set()
        if self.waiting:
            self.report.errors += 1  # the gateway closed the connection before answering
        self.answered.set()

    async def wait_answers(self, timeout: float) -> None:
        deadline = time.monotonic() + timeout
        while self.waiting and self._listener is not None and not self._listener.done():
            self.answered.clear()
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                return
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self.answered.wait(), remaining)

    async def close(self) -> None:
        if self.writer is not None:
            self.writer.close()
            with contextlib.suppress(OSError):
                await self.writer.wait_closed()
        if self._listener is not None:
            self._listener.cancel()
            with contextlib.suppress(asyncio.CancelledError, OSError):
                await self._listener


async def _realistic(
    link: _Link, station: Station, seconds: float, realtime_interval: float
) -> None:
    readings = Readings(station)
    qns = QnClock()
    start = datetime.now()
    # Catch-up on connecting: the last complete daily, hourly and minute-data intervals.
    last_sent = {}
    for cn in (DAILY, HOURLY, MINUTE):
        current = interval_start(start, INTERVALS[cn])
        last_sent[cn] = current
        previous = current - timedelta(seconds=INTERVALS[cn])
        qn = qns.next()
        await link.send(data_frame(station, readings, cn, previous, qn), qn)
    deadline = time.monotonic() + seconds
    # Stations do not all tick at the same instant.
    await asyncio.sleep(readings.random.uniform(0, min(realtime_interval, seconds)))
    while time.monotonic() < deadline:
        now = datetime.now().replace(microsecond=0)
        qn = qns.next()
        await link.send(data_frame(station, readings, REALTIME, now, qn), qn)
        for cn in (MINUTE, HOURLY, DAILY):
            current = interval_start(now, INTERVALS[cn])
            if current > last_sent[cn]:
                qn = qns.next()
                await link.send(data_frame(station, readings, cn, last_sent[cn], qn), qn)
                last_sent[cn] = current
        await asyncio.sleep(max(0.0, min(realtime_interval, deadline - time.monotonic())))


async def _burst(
    link: _Link, station: Station, seconds: float, frames: int | None, reply_timeout: float
) -> None:
    readings = Readings(station)
    qns = QnClock()
    data_time = interval_start(datetime.now(), INTERVALS[MINUTE])
    deadline = time.monotonic() + seconds
    sent = 0
    while time.monotonic() < deadline and (frames is None or sent < frames):
        data_time -= timedelta(seconds=INTERVALS[MINUTE])
        qn = qns.next()
        await link.send(data_frame(station, readings, MINUTE, data_time, qn), qn)
        sent += 1
        await link.wait_answers(reply_timeout)
        if link.waiting:
            return  # unanswered: a real logger would retry later; stop here


async def _replay(link: _Link, data: bytes, chunk: int) -> None:
    for item in split_stream(data):
        if isinstance(item, RawFrame):
            try:
                expects = parse_frame(item.data, LENIENT).reply_required
            except FrameError:
                expects = False
            if expects:
                link.report.expected += 1
    assert link.writer is not None
    for start in range(0, len(data), chunk):
        link.writer.write(data[start : start + chunk])
        await link.writer.drain()
    link.report.sent += sum(isinstance(item, RawFrame) for item in split_stream(data))


async def simulate(
    host: str,
    port: int,
    stations: Sequence[Station],
    seconds: float,
    *,
    burst: bool = False,
    frames_per_station: int | None = None,
    replay: bytes | None = None,
    realtime_interval: float = 5.0,
    reply_timeout: float = 10.0,
    connect_concurrency: int = 200,
) -> SimulationReport:
    """Run ``stations`` against the gateway at ``host:port`` for ``seconds``; report.

    burst: Load test: minute data back to back (at most ``frames_per_station`` each).
    replay: Send these bytes from every station instead of generated frames.
    realtime_interval: Seconds between real-time frames in the realistic mode [s].
    reply_timeout: How long to wait for outstanding replies at the end [s].
    """
    report = SimulationReport(stations=len(stations))
    gate = asyncio.Semaphore(connect_concurrency)

    async def run_station(station: Station) -> None:
        link = _Link(report)
        async with gate:
            opened = await link.open(host, port)
        if not opened:
            return
        try:
            if replay is not None:
                await _replay(link, replay, 4096)
            elif burst:
                await _burst(link, station, seconds, frames_per_station, reply_timeout)
            else:
                await _realistic(link, station, seconds, realtime_interval)
            await link.wait_answers(reply_timeout)
        except (OSError, asyncio.IncompleteReadError):
            report.errors += 1
        finally:
            await link.close()

    started = time.perf_counter()
    await asyncio.gather(*(run_station(station) for station in stations))
    report.elapsed = time.perf_counter() - started
    return report


def read_capture(path: str | Path) -> bytes:
    """The bytes of a capture file to replay."""
    return Path(path).read_bytes()
