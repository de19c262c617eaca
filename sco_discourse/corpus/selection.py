"""Conditions on document metadata: what ``Corpus.select``/``Corpus.where`` and the
command line's ``--where`` accept.

A condition is written ``FIELD=V1,V2`` (any of the values), ``FIELD!=V1,V2`` (none of
them), ``FIELD=LOW..HIGH`` (inclusive range; either end may be left open),
``FIELD>=V``, ``FIELD>V``, ``FIELD<=V`` or ``FIELD<V``. Values are compared as numbers
when the document's value is a number and as dates when it is a date (``date>=2020-06``),
otherwise as text. A document with no value for the field never satisfies a condition.

Examples
--------
>>> cond = parse_condition("year=2013..2024")
>>> cond.field, cond(2013), cond(2025), cond(None)
('year', True, False, False)
>>> parse_condition("iso3=CHN,RUS")("RUS")
True
>>> parse_condition("iso3!=CHN")("CHN")
False
"""

from __future__ import annotations

import datetime as _dt
import numbers
import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from ..errors import InputError

__all__ = ["Condition", "parse_condition", "value_matcher"]

_CONDITION_RE = re.compile(r"^\s*([^=!<>]+?)\s*(!=|>=|<=|=|>|<)\s*(.*?)\s*$")


@dataclass(frozen=True)
class Condition:
    """A parsed condition: ``field``, ``op`` and the value text(s); callable on a value."""

    field: str
    op: str
    values: tuple[str, ...]
    text: str

    def __call__(self, value: Any) -> bool:
        from ..groups import is_missing

        if is_missing(value):
            return False
        if self.op in ("=", "!="):
            hit = any(_equal_or_in_range(value, v) for v in self.values)
            return hit if self.op == "=" else not hit
        other = _coerce(self.values[0], value, self.text)
        try:
            return {">=": value >= other, ">": value > other, "<=": value <= other, "<": value < other}[self.op]
        except TypeError:
            return False


def parse_condition(text: str) -> Condition:
    """Parse ``FIELD=V1,V2`` / ``FIELD=LOW..HIGH`` / ``FIELD>=V`` ... (see the module docstring)."""
    match = _CONDITION_RE.match(text or "")
    if not match or not match.group(3):
        raise InputError(f"--where {text!r}: expected FIELD=V1,V2 or FIELD=LOW..HIGH or FIELD>=V "
                         f"(also !=, >, <=, <), e.g. iso3=CHN,RUS or year=2013..2024")
    field, op, rest = match.groups()
    values = tuple(v.strip() for v in rest.split(",")) if op in ("=", "!=") else (rest,)
    if any(not v for v in values):
        raise InputError(f"--where {text!r}: an empty value in the list")
    if op not in ("=", "!=") and ".." in rest:
        raise InputError(f"--where {text!r}: a range LOW..HIGH goes with '=', e.g. {field}=2013..2024")
    return Condition(field, op, values, text)


def value_matcher(field: str, wanted: Any) -> Callable[[Any], bool]:
    """What ``Corpus.select(field=wanted)`` tests: equality; any of a list/set/tuple/range;
    an inclusive ``slice(low, high)`` (either end None); a callable predicate; or a
    condition string for the field (``">=2013"``, ``"!=CHN"``, ``"2013..2024"``; a comma
    stays part of the value: several values are a list, ``["CHN", "RUS"]``)."""
    from ..groups import is_missing

    if callable(wanted) and not isinstance(wanted, type):
        return lambda v: (not is_missing(v)) and bool(wanted(v))
    if isinstance(wanted, slice):
        if wanted.step is not None:
            raise InputError(f"select({field}=...): a slice has no step")
        low, high = wanted.start, wanted.stop

        def in_slice(v):
            if is_missing(v):
                return False
            try:
                return (low is None or v >= low) and (high is None or v <= high)
            except TypeError:
                return False
        return in_slice
    if isinstance(wanted, (list, tuple, set, frozenset, range)):
        options = list(wanted)
        return lambda v: any(_same(v, o) for o in options)
    if isinstance(wanted, str) and wanted[:1] in "<>!=" and wanted[:1]:
        return parse_condition(field + wanted)
    if isinstance(wanted, str) and ".." in wanted:
        # a range, as in --where; a value that is literally this string matches too. A comma
        # is left literal here ("Reuters, London" is one outlet): several values are a list
        condition = parse_condition(f"{field}={wanted}")
        return lambda v: _same(v, wanted) or condition(v)
    return lambda v: _same(v, wanted)


def _same(value: Any, wanted: Any) -> bool:
    from ..groups import is_missing

    if is_missing(wanted):
        return is_missing(value)
    return value == wanted


def _equal_or_in_range(value: Any, text: str) -> bool:
    if ".." in text:
        low, _, high = text.partition("..")
        try:
            return ((not low or value >= _coerce(low, value, text)) and
                    (not high or value <= _coerce(high, value, text)))
        except TypeError:
            return False
    if isinstance(value, str):
        return value == text
    try:
        return value == _coerce(text, value, text)
    except InputError:
        return False


def _coerce(text: str, like: Any, where: str) -> Any:
    """``text`` as the kind of ``like`` (number, date or text)."""
    if isinstance(like, bool):
        if text.lower() in ("true", "1", "yes"):
            return True
        if text.lower() in ("false", "0", "no"):
            return False
        raise InputError(f"--where {where!r}: {text!r} is not true/false")
    if isinstance(like, numbers.Number):
        try:
            number = float(text)
        except ValueError:
            raise InputError(f"--where {where!r}: {text!r} is not a number") from None
        return int(number) if number.is_integer() else number
    if isinstance(like, (_dt.date, _dt.datetime)):
        from .loaders import parse_date

        try:
            day = parse_date(text)[0]
        except ValueError:
            raise InputError(f"--where {where!r}: cannot read {text!r} as a date (YYYY, YYYY-MM or YYYY-MM-DD)") from None
        return _dt.datetime.combine(day, _dt.time()) if isinstance(like, _dt.datetime) else day
    return text
