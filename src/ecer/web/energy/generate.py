"""Energy use of generated enterprises: typical carrier mixes by industry, and the carrier
quantities of a total in tonnes of standard coal.

The quantities are what a report states — physical amounts in each carrier's usual unit —
chosen so that ``ecer.core.energy`` converts them back to the total (GB/T 2589-2020
reference coefficients, electricity at its equivalent value).
"""

from __future__ import annotations

from collections.abc import Mapping

from ecer.core import energy as core_energy

# Shares of an industry's energy use [tce / tce] by carrier (invented, plausible).
MIXES: dict[str, dict[str, float]] = {
    "coal_power": {"raw_coal": 0.96, "diesel": 0.01, "electricity": 0.03},
    "cement": {"raw_coal": 0.82, "electricity": 0.16, "diesel": 0.02},
    "refinery": {
        "refinery_dry_gas": 0.40,
        "fuel_oil": 0.10,
        "natural_gas": 0.15,
        "electricity": 0.15,
        "heat": 0.20,
    },
    "aluminium": {"raw_coal": 0.60, "electricity": 0.35, "natural_gas": 0.05},
    "chemical": {"natural_gas": 0.35, "electricity": 0.30, "heat": 0.30, "diesel": 0.05},
    "glass": {"natural_gas": 0.75, "electricity": 0.20, "diesel": 0.05},
    "paper": {"raw_coal": 0.55, "electricity": 0.30, "heat": 0.15},
    "sugar": {"raw_coal": 0.60, "electricity": 0.35, "diesel": 0.05},
    "food": {"electricity": 0.45, "natural_gas": 0.35, "heat": 0.20},
    "sewage": {"electricity": 0.97, "diesel": 0.03},
    "electronics": {"electricity": 0.88, "natural_gas": 0.10, "diesel": 0.02},
}


def carrier_lines(total_tce: float, shares: Mapping[str, float]) -> list[tuple[str, float, str]]:
    """(carrier, quantity, unit) lines whose energy adds up to ``total_tce`` [tce].

    shares: Carrier code -> share of the total [-]; they are normalised to add up to 1.
    Quantities are in the carrier's display unit (t, 10^4 m3, GJ, 10^4 kWh), to 0.01.
    """
    whole = sum(shares.values())
    lines = []
    for carrier, share in shares.items():
        unit = core_energy.get_carrier(carrier).display_unit
        tce_per_unit = core_energy.to_tce(carrier, 1.0, unit)
        lines.append((carrier, round(total_tce * share / whole / tce_per_unit, 2), unit))
    return lines
