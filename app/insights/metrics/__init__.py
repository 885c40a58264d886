"""Metric definitions: one small module per family, each computed over a RangeData."""

from __future__ import annotations


def ratio(numerator: float, denominator: float) -> float | None:
    """numerator ÷ denominator, or None when there is nothing to divide by."""
    return numerator / denominator if denominator else None
