"""ModelParams: ranges, defaults, TOML loading and one-line errors."""

from __future__ import annotations

import math

import pytest
from pydantic import ValidationError

from sidepay.config import load_params
from sidepay.errors import InputError
from sidepay.theory.params import ModelParams, param_bounds


def test_defaults_are_valid_and_documented():
    p = ModelParams()
    for name, f in ModelParams.model_fields.items():
        assert f.description, name
        lo, hi, lo_inc, hi_inc = param_bounds(name)
        value = getattr(p, name)
        assert (value >= lo) if lo_inc else (value > lo), name
        assert (value <= hi) if hi_inc else (value < hi), name


@pytest.mark.parametrize(
    ("values", "fragment"),
    [
        ({"W": 0.0}, "parameter 'W' = 0.0 is not allowed: must be in (0, 1]"),
        ({"d": 1.5}, "parameter 'd'"),
        ({"rho": math.nan}, "parameter 'rho' = nan"),
        ({"T": math.inf}, "parameter 'T'"),
        ({"omega": 1.0}, "must be in [0, 1)"),
        ({"bogus": 1}, "unknown parameter 'bogus': allowed are W, d,"),
        ({"holdup_periods": 2.5}, "parameter 'holdup_periods'"),
        ({"s_l_small": 0.01, "s_l_large": 0.02}, "s_l_large must be <= s_l_small"),
        ({"h0": 0.5, "h_cap": 0.4}, "h0 must be < h_cap; got h0 = 0.5, h_cap = 0.4"),
        ({"x": -math.inf}, "parameter 'x' = -inf is not allowed: must be in (0, 1]"),
        ({"beta": "high"}, "parameter 'beta' = 'high'"),
        ({"W": True}, "parameter 'W' = True"),
        ({"W": "0.5"}, "parameter 'W' = '0.5'"),
    ],
)
def test_bad_values_raise_one_line_input_error(values, fragment):
    with pytest.raises(InputError) as info:
        ModelParams.from_mapping(values)
    msg = str(info.value)
    assert fragment in msg
    assert "\n" not in msg


def test_replace_validates():
    assert ModelParams().replace(W=1.0).W == 1.0
    with pytest.raises(InputError, match="'x'"):
        ModelParams().replace(x=0.0)


def test_from_toml_top_level_and_model_table(tmp_path):
    f = tmp_path / "a.toml"
    f.write_text("W = 0.9\nd = 0.1\nholdup_periods = 5\n")
    p = load_params(f)
    assert (p.W, p.d, p.holdup_periods) == (0.9, 0.1, 5)
    g = tmp_path / "b.toml"
    g.write_text("[model]\nbeta = 0.5\n")
    assert load_params(g).beta == 0.5


@pytest.mark.parametrize(
    ("text", "fragment"),
    [
        ("W = [1, 2\n", "is not valid TOML"),
        ("W = 2.0\n", "parameter 'W' = 2.0"),
        ("nope = 1\n", "unknown parameter 'nope' in p.toml"),
        ("d = nan\n", "parameter 'd' = nan"),
        ("[model]\nW = 0.5\n[sim]\nreps = 3\n", "mixes a [model] table with other keys"),
        ("model = 3\n", "unknown parameter 'model'"),
    ],
)
def test_from_toml_errors(tmp_path, text, fragment):
    f = tmp_path / "p.toml"
    f.write_text(text)
    with pytest.raises(InputError) as info:
        load_params(f)
    assert fragment in str(info.value) and "\n" not in str(info.value)


def test_missing_file(tmp_path):
    with pytest.raises(InputError, match="does not exist"):
        load_params(tmp_path / "none.toml")


def test_params_are_immutable():
    with pytest.raises(ValidationError, match="frozen"):
        ModelParams().W = 0.5  # type: ignore[misc]


def test_leader_shock_scale_falls_in_W():
    p = ModelParams(s_l_small=0.05, s_l_large=0.01)
    assert p.s_l(0.0) == 0.05 and math.isclose(p.s_l(1.0), 0.01)


def test_non_utf8_file_and_folder(tmp_path):
    f = tmp_path / "bin.toml"
    f.write_bytes(b"\xff\xfe\x00")
    with pytest.raises(InputError, match="not valid TOML: not UTF-8 text"):
        load_params(f)
    with pytest.raises(InputError, match="cannot read parameter file"):
        load_params(tmp_path)
