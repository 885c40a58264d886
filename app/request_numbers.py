"""Numbers typed into query strings and forms: ASCII digits only, a bounded length, else None.

`str.isdigit()` is not enough: "⁰⁴⁵" and "١٢" are digits to it, and `int("⁰⁴⁵")` raises,
which would answer a 500.
"""

from __future__ import annotations


def whole_number(value: object, max_digits: int = 9) -> int | None:
    """`value` as a non-negative int when it is 1..max_digits ASCII digits, else None.

    Nine digits by default: any such number fits a 32-bit integer column.
    """
    text = "" if value is None else str(value)
    if text.isascii() and text.isdigit() and len(text) <= max_digits:
        return int(text)
    return None
