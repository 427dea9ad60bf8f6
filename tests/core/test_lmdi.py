import math

import pytest
from hypothesis import given
from hypothesis import strategies as st

from ecer.core.lmdi import (
    SectorData,
    lmdi_additive,
    lmdi_multiplicative,
    logarithmic_mean,
)

# Worked example, computed by hand (no published table could be retrieved reliably, so the
# figures below are derived here and checked line by line).
#   period 0: industry Q=50 E=100 (I=2), services Q=50 E=50 (I=1); Q=100, E=150
#   period T: industry Q=50 E=50  (I=1), services Q=150 E=150 (I=1); Q=200, E=200
#   weights: L(50,100) = 50/ln2 = 72.1347520; L(150,50) = 100/ln3 = 91.0239227
#   activity:  ln(200/100) = ln2 -> 50/ln2*ln2 = 50;  100/ln3*ln2 = 63.0929754 -> 113.0929754
#   structure: industry ln(0.25/0.5) = -ln2 -> -50; services ln(0.75/0.5) = ln1.5
#              -> 100*ln1.5/ln3 = 36.9070246 -> -13.0929754
#   intensity: industry ln(1/2) -> -50; services ln(1/1) = 0 -> -50
#   check: 113.0929754 - 13.0929754 - 50 = 50 = 200 - 150
#   multiplicative: L(200,150) = 50/ln(4/3) = 173.8029748;
#   D_act = exp(113.0929754/173.8029748) = exp(0.6506964) = 1.9168753
#   D_str = exp(-13.0929754/173.8029748) = exp(-0.0753323) = 0.9274353
#   D_int = exp(-50/173.8029748) = exp(-ln(4/3)) = 0.75;  product = 1.3333 = 200/150
EXAMPLE = [
    SectorData("industry", activity_0=50, energy_0=100, activity_t=50, energy_t=50),
    SectorData("services", activity_0=50, energy_0=50, activity_t=150, energy_t=150),
]


def test_logarithmic_mean_of_two_numbers():
    # L(2, 1) = (2 - 1)/(ln2 - ln1) = 1/0.6931472 = 1.4426950
    assert logarithmic_mean(2, 1) == pytest.approx(1.4426950)


def test_logarithmic_mean_of_equal_numbers_is_the_number():
    assert logarithmic_mean(3.7, 3.7) == 3.7


def test_logarithmic_mean_is_continuous_near_equality():
    # L(1 + h, 1) = 1 + h/2 - h^2/12 ...: for h = 1e-9 this is 1 + 5e-10
    assert logarithmic_mean(1 + 1e-9, 1) == pytest.approx(1 + 5e-10, rel=1e-15)


def test_logarithmic_mean_with_a_zero_is_zero():
    assert logarithmic_mean(5, 0) == 0
    assert logarithmic_mean(0, 0) == 0


def test_logarithmic_mean_rejects_negative_numbers():
    with pytest.raises(ValueError):
        logarithmic_mean(-1, 2)


def test_additive_worked_example():
    result = lmdi_additive(EXAMPLE)
    assert result.change == pytest.approx(50)
    assert result.activity_effect == pytest.approx(113.0929754)
    assert result.structure_effect == pytest.approx(-13.0929754)
    assert result.intensity_effect == pytest.approx(-50)


def test_additive_worked_example_by_sector():
    industry, services = lmdi_additive(EXAMPLE).sectors
    assert (industry.activity, industry.structure, industry.intensity) == (
        pytest.approx(50),
        pytest.approx(-50),
        pytest.approx(-50),
    )
    assert (services.activity, services.structure, services.intensity) == (
        pytest.approx(63.0929754),
        pytest.approx(36.9070246),
        pytest.approx(0, abs=1e-12),
    )


def test_multiplicative_worked_example():
    result = lmdi_multiplicative(EXAMPLE)
    assert result.ratio == pytest.approx(200 / 150)
    assert result.activity_index == pytest.approx(1.9168753)
    assert result.structure_index == pytest.approx(0.9274353)
    assert result.intensity_index == pytest.approx(0.75)


def test_energy_starting_in_an_existing_sector_is_an_intensity_effect():
    # A: Q 50 -> 50, E 0 -> 20 (intensity 0 -> 0.4); B unchanged: effects 0, 0, +20
    result = lmdi_additive([SectorData("A", 50, 0, 50, 20), SectorData("B", 50, 100, 50, 100)])
    assert result.activity_effect == pytest.approx(0)
    assert result.structure_effect == pytest.approx(0)
    assert result.intensity_effect == pytest.approx(20)


def test_a_new_sector_is_a_structure_effect():
    # A new: Q 0 -> 50, E 0 -> 50 -> structure +50.
    # B: Q 100 -> 150, E 100 -> 150 (I = 1); total Q 100 -> 200; L(150,100) = 50/ln1.5
    #   activity 50*ln2/ln1.5 = 85.4755646; structure (share 1 -> 0.75)
    #   50*ln0.75/ln1.5 = -35.4755646; intensity 0
    # totals: activity 85.4755646, structure 50 - 35.4755646 = 14.5244354, intensity 0;
    # sum 100 = 200 - 100
    result = lmdi_additive([SectorData("A", 0, 0, 50, 50), SectorData("B", 100, 100, 150, 150)])
    assert result.activity_effect == pytest.approx(85.4755646)
    assert result.structure_effect == pytest.approx(14.5244354)
    assert result.intensity_effect == pytest.approx(0, abs=1e-12)


def test_a_vanishing_sector_mirrors_a_new_one():
    result = lmdi_additive([SectorData("A", 50, 50, 0, 0), SectorData("B", 150, 150, 100, 100)])
    assert result.activity_effect == pytest.approx(-85.4755646)
    assert result.structure_effect == pytest.approx(-14.5244354)


def _delta_substituted_structure(delta: float) -> float:
    # Ang (2005)'s recipe for the new-sector case above: replace the zeros of A (Q and E in
    # period 0) by delta and apply the plain formula. Returns the total structure effect.
    q0 = delta + 100
    qt = 200.0
    a = logarithmic_mean(50, delta) * (math.log(50 / qt) - math.log(delta / q0))
    b = logarithmic_mean(150, 100) * (math.log(150 / qt) - math.log(100 / q0))
    return a + b


def test_zero_handling_is_the_limit_of_delta_substitution():
    limit = lmdi_additive(
        [SectorData("A", 0, 0, 50, 50), SectorData("B", 100, 100, 150, 150)]
    ).structure_effect
    error_coarse = abs(_delta_substituted_structure(1e-10) - limit)
    error_fine = abs(_delta_substituted_structure(1e-300) - limit)
    assert error_fine < error_coarse
    assert error_fine < 0.002 * 100  # within 0.2 % of the change being decomposed


def test_energy_without_activity_is_rejected():
    with pytest.raises(ValueError, match="energy without activity"):
        SectorData("A", 0, 5, 10, 10)


def test_multiplicative_needs_positive_totals():
    with pytest.raises(ValueError, match="total energy"):
        lmdi_multiplicative([SectorData("A", 10, 0, 10, 5)])


def test_co2_variant_puts_a_cleaner_energy_mix_in_the_intensity_effect():
    # CO2 decomposed with the same function: one sector, activity 100 -> 100,
    # CO2 250 -> 200 t (fuel switch). L(200,250) x ln(2.0/2.5) = -50: all in "intensity"
    result = lmdi_additive([SectorData("industry", 100, 250, 100, 200)])
    assert result.activity_effect == pytest.approx(0)
    assert result.structure_effect == pytest.approx(0)
    assert result.intensity_effect == pytest.approx(-50)


positive = st.floats(min_value=1e-3, max_value=1e6, allow_nan=False, allow_infinity=False)
sector = st.builds(SectorData, st.just("s"), positive, positive, positive, positive)


@st.composite
def sector_with_zeros(draw: st.DrawFn) -> SectorData:
    values = []
    for _ in range(2):
        activity = draw(st.one_of(st.just(0.0), positive))
        energy = 0.0 if activity == 0 else draw(st.one_of(st.just(0.0), positive))
        values.append((activity, energy))
    (q0, e0), (qt, et) = values
    return SectorData("z", q0, e0, qt, et)


def _scale(sectors: list[SectorData]) -> float:
    return max(1.0, *(max(s.energy_0, s.energy_t) for s in sectors))


@given(st.lists(sector, min_size=1, max_size=6))
def test_additive_effects_sum_to_the_change(sectors):
    result = lmdi_additive(sectors)
    total = result.activity_effect + result.structure_effect + result.intensity_effect
    assert total == pytest.approx(result.change, abs=1e-9 * _scale(sectors) * len(sectors))


@given(st.lists(sector, min_size=1, max_size=6))
def test_multiplicative_indices_multiply_to_the_ratio(sectors):
    result = lmdi_multiplicative(sectors)
    product = result.activity_index * result.structure_index * result.intensity_index
    assert product == pytest.approx(result.ratio, rel=1e-9)


@given(
    st.lists(sector_with_zeros(), min_size=1, max_size=6).filter(
        lambda ss: sum(s.activity_0 for s in ss) > 0 and sum(s.activity_t for s in ss) > 0
    )
)
def test_perfect_decomposition_holds_with_zero_values(sectors):
    result = lmdi_additive(sectors)
    assert result.residual == pytest.approx(0, abs=1e-9 * _scale(sectors) * len(sectors))


@given(st.lists(sector, min_size=1, max_size=6))
def test_reversing_time_negates_the_additive_effects(sectors):
    forward = lmdi_additive(sectors)
    backward = lmdi_additive(
        [SectorData(s.sector, s.activity_t, s.energy_t, s.activity_0, s.energy_0) for s in sectors]
    )
    tol = 1e-9 * _scale(sectors) * len(sectors)
    assert backward.activity_effect == pytest.approx(-forward.activity_effect, abs=tol)
    assert backward.structure_effect == pytest.approx(-forward.structure_effect, abs=tol)
    assert backward.intensity_effect == pytest.approx(-forward.intensity_effect, abs=tol)
