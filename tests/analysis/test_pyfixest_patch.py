"""The byte-determinism patch of pyfixest fails loudly when the name it patches is gone."""

from __future__ import annotations

import pyfixest.estimation.formula.model_matrix as mm
import pytest

from sidepay.analysis import determinism


def test_the_patched_name_exists_in_the_pinned_pyfixest() -> None:
    original = mm._encode_fixed_effects
    with determinism.fixed_effects_in_formula_order():
        assert mm._encode_fixed_effects("a + b + a", None) == (
            "__fixed_effect__(a) + __fixed_effect__(b) - 1"
        )
    assert mm._encode_fixed_effects is original  # restored after the call


def test_a_pyfixest_without_the_name_is_refused(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delattr(mm, "_encode_fixed_effects")
    with (
        pytest.raises(RuntimeError, match="_encode_fixed_effects is gone"),
        determinism.fixed_effects_in_formula_order(),
    ):
        pass
