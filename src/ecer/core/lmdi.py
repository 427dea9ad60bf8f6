"""LMDI-I decomposition of a change in energy use into activity, structure and intensity.

Numbers are ``float``. The identity decomposed is

    E = sum_i Q x (Q_i / Q) x (E_i / Q_i) = sum_i Q x S_i x I_i

with Q the total activity (e.g. value added [10^4 yuan]), S_i the sector's activity share and
I_i its energy intensity. Between period 0 and period T (Ang 2005, Table 1, LMDI-I):

* additive:        dE_x = sum_i L(E_i^T, E_i^0) x ln(x_i^T / x_i^0)
  with dE_act + dE_str + dE_int = E^T - E^0 exactly;
* multiplicative:  D_x = exp( sum_i [L(E_i^T, E_i^0) / L(E^T, E^0)] x ln(x_i^T / x_i^0) )
  with D_act x D_str x D_int = E^T / E^0 exactly; equivalently ln D_x = dE_x / L(E^T, E^0).

L is the logarithmic mean L(a, b) = (a - b) / (ln a - ln b), with L(a, a) = a.

Zero values: instead of substituting a small delta (1e-10..1e-20) for zeros, as Ang (2005)
suggests, this module uses the analytical limits of that substitution as delta -> 0
(Ang & Liu 2007; Wood & Lenzen 2006), taking the same delta for Q_i and E_i:

* E_i = 0 in both periods: the sector contributes nothing;
* E_i^0 = 0 < E_i^T with Q_i^0 > 0 (energy use starts in an existing sector): the whole
  E_i^T goes to the intensity effect (the intensity factor went from 0 to I_i^T);
* E_i^0 = 0 < E_i^T with Q_i^0 = 0 (a new sector): the whole E_i^T goes to the structure
  effect (its share went from 0 to S_i^T);
* and symmetrically (with -E_i^0) when the sector's energy or activity vanishes in T.
Activity without energy (Q_i > 0, E_i = 0) is allowed; energy without activity is an error.

CO2 variant: the same functions decompose CO2 when ``energy_*`` carries sector CO2 [tCO2];
the "intensity" effect is then the CO2 intensity of activity, which folds together energy
intensity and the carbon content of the energy mix.

References
----------
Ang, B.W. (2004). Decomposition analysis for policymaking in energy: which is the preferred
method? Energy Policy 32, 1131-1139.
Ang, B.W. (2005). The LMDI approach to decomposition analysis: a practical guide.
Energy Policy 33, 867-871.
Ang, B.W., Liu, N. (2007). Handling zero values in the logarithmic mean Divisia index
decomposition approach. Energy Policy 35, 238-246.
Wood, R., Lenzen, M. (2006). Zero-value problems of the logarithmic mean Divisia index
decomposition method. Energy Policy 34, 1326-1331.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

__all__ = [
    "AdditiveDecomposition",
    "MultiplicativeDecomposition",
    "SectorData",
    "SectorEffects",
    "lmdi_additive",
    "lmdi_multiplicative",
    "logarithmic_mean",
]


def logarithmic_mean(a: float, b: float) -> float:
    """Logarithmic mean L(a, b) = (a - b) / (ln a - ln b); L(a, a) = a; L(a, 0) = 0.

    a, b: Non-negative numbers.
    """
    if a < 0 or b < 0 or not (math.isfinite(a) and math.isfinite(b)):
        raise ValueError(f"logarithmic mean needs finite non-negative numbers, got {a}, {b}")
    if a == 0 or b == 0:
        return 0.0  # limit of (a - b)/(ln a - ln b) as one argument -> 0
    if a == b:
        return a
    # Relative difference small: use the series L = b (1 + x/2 - x^2/12 + x^3/24 ...)
    # with x = a/b - 1, avoiding cancellation in (a - b)/(ln a - ln b).
    x = a / b - 1.0
    if abs(x) < 1e-4:
        return b * (1.0 + x / 2.0 - x * x / 12.0 + x * x * x / 24.0)
    return (a - b) / (math.log(a) - math.log(b))


@dataclass(frozen=True)
class SectorData:
    """A sector's activity and energy (or CO2) in the two periods.

    sector: Sector name.
    activity_0: Activity in period 0 (e.g. value added [10^4 yuan]).
    energy_0: Energy in period 0 [tce] (or CO2 [tCO2] for the CO2 variant).
    activity_t: Activity in period T [same unit as activity_0].
    energy_t: Energy in period T [same unit as energy_0].
    """

    sector: str
    activity_0: float
    energy_0: float
    activity_t: float
    energy_t: float

    def __post_init__(self) -> None:
        for name in ("activity_0", "energy_0", "activity_t", "energy_t"):
            value = getattr(self, name)
            if not (math.isfinite(value) and value >= 0):
                raise ValueError(f"{self.sector}: {name} must be finite and >= 0, got {value}")
        for period in ("0", "t"):
            if getattr(self, f"activity_{period}") == 0 and getattr(self, f"energy_{period}") > 0:
                raise ValueError(f"{self.sector}: energy without activity in period {period}")


@dataclass(frozen=True)
class SectorEffects:
    """A sector's contributions to the additive decomposition [same unit as energy].

    sector: Sector name.
    activity: Activity effect.
    structure: Structure effect.
    intensity: Intensity effect.
    total: Sum of the three (= energy_t - energy_0 of the sector).
    """

    sector: str
    activity: float
    structure: float
    intensity: float
    total: float


@dataclass(frozen=True)
class AdditiveDecomposition:
    """Additive LMDI-I result [same unit as energy].

    energy_0: Total energy in period 0.
    energy_t: Total energy in period T.
    change: energy_t - energy_0.
    activity_effect: Effect of total activity.
    structure_effect: Effect of activity shares.
    intensity_effect: Effect of sector intensities.
    sectors: Per-sector contributions.
    """

    energy_0: float
    energy_t: float
    change: float
    activity_effect: float
    structure_effect: float
    intensity_effect: float
    sectors: tuple[SectorEffects, ...]

    @property
    def residual(self) -> float:
        """change minus the sum of the effects; zero up to rounding (perfect decomposition)."""
        return self.change - math.fsum(
            (self.activity_effect, self.structure_effect, self.intensity_effect)
        )


@dataclass(frozen=True)
class MultiplicativeDecomposition:
    """Multiplicative LMDI-I result [dimensionless ratios].

    ratio: energy_t / energy_0.
    activity_index: D_act.
    structure_index: D_str.
    intensity_index: D_int.
    """

    ratio: float
    activity_index: float
    structure_index: float
    intensity_index: float


def _log_ratio(x_t: float, x_0: float) -> float:
    return math.log(x_t) - math.log(x_0)


def _sector_effects(s: SectorData, total_q0: float, total_qt: float) -> SectorEffects:
    e0, et = s.energy_0, s.energy_t
    if e0 > 0 and et > 0:
        # Ang (2005) Table 1: dE_x,i = L(E_i^T, E_i^0) ln(x_i^T / x_i^0).
        w = logarithmic_mean(et, e0)
        act = w * _log_ratio(total_qt, total_q0)
        stru = w * _log_ratio(s.activity_t / total_qt, s.activity_0 / total_q0)
        inten = w * _log_ratio(et / s.activity_t, e0 / s.activity_0)
        return SectorEffects(s.sector, act, stru, inten, et - e0)
    if e0 == 0 and et == 0:
        return SectorEffects(s.sector, 0.0, 0.0, 0.0, 0.0)
    # One period has zero energy: limits of the delta substitution (Ang & Liu 2007).
    change = et - e0
    activity_where_zero = s.activity_0 if e0 == 0 else s.activity_t
    if activity_where_zero > 0:
        return SectorEffects(s.sector, 0.0, 0.0, change, change)
    return SectorEffects(s.sector, 0.0, change, 0.0, change)


def lmdi_additive(sectors: Sequence[SectorData]) -> AdditiveDecomposition:
    """Additive LMDI-I decomposition of E^T - E^0 into activity, structure and intensity."""
    if not sectors:
        raise ValueError("at least one sector is needed")
    total_q0 = math.fsum(s.activity_0 for s in sectors)
    total_qt = math.fsum(s.activity_t for s in sectors)
    if not (total_q0 > 0 and total_qt > 0):
        raise ValueError("total activity must be > 0 in both periods")
    effects = tuple(_sector_effects(s, total_q0, total_qt) for s in sectors)
    energy_0 = math.fsum(s.energy_0 for s in sectors)
    energy_t = math.fsum(s.energy_t for s in sectors)
    return AdditiveDecomposition(
        energy_0=energy_0,
        energy_t=energy_t,
        change=energy_t - energy_0,
        activity_effect=math.fsum(e.activity for e in effects),
        structure_effect=math.fsum(e.structure for e in effects),
        intensity_effect=math.fsum(e.intensity for e in effects),
        sectors=effects,
    )


def lmdi_multiplicative(sectors: Sequence[SectorData]) -> MultiplicativeDecomposition:
    """Multiplicative LMDI-I decomposition of E^T / E^0 (totals must be > 0)."""
    additive = lmdi_additive(sectors)
    if not (additive.energy_0 > 0 and additive.energy_t > 0):
        raise ValueError("multiplicative decomposition needs total energy > 0 in both periods")
    # Ang (2005) Table 1, LMDI-I: ln D_x = sum_i L(E_i^T,E_i^0)/L(E^T,E^0) ln(x^T/x^0)
    #                                    = dE_x / L(E^T, E^0).
    weight = logarithmic_mean(additive.energy_t, additive.energy_0)
    return MultiplicativeDecomposition(
        ratio=additive.energy_t / additive.energy_0,
        activity_index=math.exp(additive.activity_effect / weight),
        structure_index=math.exp(additive.structure_effect / weight),
        intensity_index=math.exp(additive.intensity_effect / weight),
    )
