"""One catalogue for HJ 212-2017 and HJ/T 212-2005 factor codes."""

from __future__ import annotations

import pytest

from ecer.hj212.pollutants import CATALOGUE, is_2005_code, is_2017_code, lookup, to_2017_code


@pytest.mark.parametrize(
    ("code_2017", "code_2005", "name"),
    [
        ("w01018", "011", "化学需氧量"),
        ("w21003", "060", "氨氮"),
        ("w21011", "101", "总磷"),
        ("w21001", "065", "总氮"),
        ("w01001", "001", "pH值"),
        ("w00000", "B01", "污水"),
        ("a21002", "03", "氮氧化物"),
        ("a21026", "02", "二氧化硫"),
        ("a34013", "01", "烟尘"),
        ("a00000", "B02", "废气"),
        ("a19001", "S01", "氧气含量"),
    ],
)
def test_both_codes_name_the_same_factor(code_2017, code_2005, name):
    assert lookup(code_2017) is lookup(code_2005)
    assert lookup(code_2017).name == name
    assert to_2017_code(code_2005) == code_2017


def test_nmhc_has_only_a_2017_code():
    assert lookup("a24088").name == "非甲烷总烃"
    assert lookup("a24088").code_2005 is None


def test_units_follow_the_medium():
    assert lookup("011").unit == "mg/L"
    assert lookup("02").unit == "mg/m³"
    assert lookup("B01").unit == "L/s"
    assert lookup("B02").total_unit == "m³"


def test_unknown_code_is_none():
    assert lookup("99") is None
    assert to_2017_code("x99999") is None


def test_codes_are_unique_across_versions():
    codes = [p.code for p in CATALOGUE] + [p.code_2005 for p in CATALOGUE if p.code_2005]
    assert len(codes) == len(set(codes))


@pytest.mark.parametrize("code", ["w01018", "a21026", "a00000"])
def test_2017_code_shape(code):
    assert is_2017_code(code)
    assert not is_2005_code(code)


@pytest.mark.parametrize("code", ["011", "01", "B01", "S01"])
def test_2005_code_shape(code):
    assert is_2005_code(code)
    assert not is_2017_code(code)
