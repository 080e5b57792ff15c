"""Hypothesis strategies shared by the test modules (`from tests.strategies import ...`)."""

from __future__ import annotations

from typing import Any

from hypothesis import strategies as st

__all__ = ["json_scalars", "json_values"]

#: Values JSON can carry without loss: no NaN or infinity, integers within 64 bits.
json_scalars: st.SearchStrategy[Any] = (
    st.none()
    | st.booleans()
    | st.text()
    | st.integers(min_value=-(2**63), max_value=2**63 - 1)
    | st.floats(allow_nan=False, allow_infinity=False)
)

#: Any JSON document: scalars, and lists and objects nested a few levels deep.
json_values: st.SearchStrategy[Any] = st.recursive(
    json_scalars,
    lambda children: (
        st.lists(children, max_size=5) | st.dictionaries(st.text(max_size=10), children, max_size=5)
    ),
    max_leaves=20,
)
