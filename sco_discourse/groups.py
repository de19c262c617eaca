"""One documents table and one grouping, shared by every table of the package.

Every intermediate object (term DTM, frame matrix, mention table, topic units, fitted
topic model) carries the same per-document metadata table, built by
:func:`documents_table`: ``doc_id, date, date_precision, year`` and then every *scalar*
metadata field of the corpus (text, numbers, booleans, dates; lists and mappings are
left out because they cannot define a group). Every ``by=`` of the package is resolved
here, by :class:`Grouping`, so it means the same in frames, keywords, co-occurrence and
topic prevalence.

``by=`` takes

* a column name: ``by="year"``;
* a list of columns: ``by=["iso3", "year"]`` (interaction groups, one output column each);
* a custom group defined from a column, as a mapping ``{column: {label: values}}``:
  ``by={"iso3": {"SCO": ["CHN", "RUS"]}}`` replaces the ``iso3`` column by a column with
  "SCO" for those values and "other" for the rest (a missing value stays missing); or as
  :class:`Group` when the new column needs its own name;
* a list mixing these: ``by=[{"iso3": {"SCO": [...]}}, "year"]``.

Rules
-----
* **Order.** Groups are sorted column by column: numbers numerically, text
  alphabetically, missing values last. (A custom group's labels are sorted the same way.)
* **Missing values.** A document with no value for a column (absent, None, NaN) forms
  its own group with value ``None``, shown last; nothing is dropped.
* **Types.** A column whose values mix numbers and text (``1`` and ``"1"``) would give
  two groups printed alike, so it is refused with a message naming both documents.
  Lists, mappings and other non-scalar values cannot define groups and are refused too.

Examples
--------
>>> import pandas as pd
>>> docs = pd.DataFrame({"doc_id": ["a", "b", "c", "d"], "year": [2021, 2020, 2021, None],
...                      "iso3": ["CHN", "USA", "RUS", "CHN"]})
>>> codes, labels = Grouping(["iso3", "year"]).resolve(docs)
>>> labels
  iso3  year
0  CHN  2021
1  CHN  <NA>
2  RUS  2021
3  USA  2020
>>> codes.tolist()
[0, 3, 2, 1]
>>> Grouping({"iso3": {"SCO": ["CHN", "RUS"]}}).resolve(docs)[1]
    iso3
0    SCO
1  other
"""

from __future__ import annotations

import datetime as _dt
import numbers
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from .errors import InputError

__all__ = ["DOC_COLUMNS", "Group", "Grouping", "describe_groups", "documents_table", "doc_record", "is_missing",
           "match_groups", "sort_key"]

#: The columns every documents table starts with.
DOC_COLUMNS = ["doc_id", "date", "date_precision", "year"]
_SCALAR = (str, numbers.Number, bool, _dt.date, np.generic)
# fields of Document.meta that are text, not metadata to group by
_NOT_METADATA = {"text", "raw"}


def is_missing(value: Any) -> bool:
    """None, NaN, NA and NaT count as missing."""
    if value is None or value is pd.NA or value is pd.NaT:
        return True
    return isinstance(value, float) and value != value


def sort_key(value: Any) -> tuple:
    """The one ordering rule: numbers numerically, text alphabetically, missing last."""
    if is_missing(value):
        return (2, "", 0)
    if isinstance(value, (numbers.Number, np.generic)) and not isinstance(value, bool):
        return (0, "", float(value))
    if isinstance(value, (_dt.date, pd.Timestamp)):
        return (0, "", pd.Timestamp(value).value / 1e9)
    return (1, str(type(value).__name__), str(value))


def doc_record(doc) -> dict[str, Any]:
    """The documents-table row of one :class:`~sco_discourse.corpus.Document`."""
    row = {"doc_id": doc.doc_id, "date": doc.date, "date_precision": doc.date_precision, "year": doc.year}
    for key, value in doc.meta.items():
        if key in row or key in _NOT_METADATA:
            continue
        if value is None or isinstance(value, _SCALAR):
            row[key] = value
    return row


def documents_table(records: Iterable[Mapping[str, Any]]) -> pd.DataFrame:
    """The documents table from rows of :func:`doc_record` (or a corpus).

    Columns: ``doc_id, date, date_precision, year``, then every scalar metadata field in
    the order first seen. ``date`` is a datetime column, ``year`` a nullable integer.

    Examples
    --------
    >>> from sco_discourse import load_corpus
    >>> table = documents_table(load_corpus())
    >>> table.columns[:4].tolist(), "outlet" in table.columns, len(table)
    (['doc_id', 'date', 'date_precision', 'year'], True, 8)
    """
    rows = [doc_record(r) if hasattr(r, "doc_id") else dict(r) for r in records]
    columns = list(DOC_COLUMNS)
    for row in rows:
        for key in row:
            if key not in columns:
                columns.append(key)
    table = pd.DataFrame(rows, columns=columns)
    table["date"] = pd.to_datetime(table["date"])
    table["year"] = table["year"].astype("Int64")
    return table


@dataclass(frozen=True)
class Group:
    """A custom group column: ``name`` holds ``label`` where ``column`` has one of the
    listed values, ``other`` elsewhere (a missing value stays missing).

    Parameters
    ----------
    name : str
        Name of the new column in results.
    column : str
        The metadata column it is defined from.
    members : mapping label -> values, or a list of values
        A list means ``{name: values}``.
    other : str, default "other"

    Examples
    --------
    >>> sco = Group("bloc", "iso3", {"SCO": ["CHN", "RUS"]})
    >>> [sco.value(v) for v in ["CHN", "USA", None]]
    ['SCO', 'other', None]
    """

    name: str
    column: str
    members: Any
    other: str = "other"
    _lookup: dict = field(default_factory=dict, init=False, repr=False, compare=False)

    def __post_init__(self):
        members = self.members
        if not isinstance(members, Mapping):
            members = {self.name: members}
        lookup: dict = {}
        for label, values in members.items():
            if isinstance(values, (str, bytes)) or not isinstance(values, Iterable):
                values = [values]
            for v in values:
                if v in lookup and lookup[v] != label:
                    raise InputError(f"group {self.name!r}: value {v!r} is listed under both "
                                     f"{lookup[v]!r} and {label!r}")
                lookup[v] = label
                if isinstance(v, str):  # "2013" on a command line means the number too
                    for number in _as_numbers(v):
                        lookup.setdefault(number, label)
        object.__setattr__(self, "_lookup", lookup)

    def value(self, raw: Any) -> Any:
        if is_missing(raw):
            return None
        return self._lookup.get(raw, self.other)


def _as_numbers(text: str) -> list:
    try:
        number = float(text)
    except ValueError:
        return []
    return [int(number)] if number.is_integer() else [number]


class Grouping:
    """``by=`` resolved once: the output columns and a key for every document.

    Parameters
    ----------
    by : str, Group, mapping, or a list of these; None for one group of everything
    where : str
        What the grouped object is called in messages (a corpus name or a file).
    """

    def __init__(self, by: Any, *, where: str = "corpus"):
        self.where = where
        self.parts: list[tuple[str, str, Callable[[Any], Any] | None]] = []  # (output, source, recode)
        for item in _as_list(by):
            if isinstance(item, str):
                self.parts.append((item, item, None))
            elif isinstance(item, Group):
                self.parts.append((item.name, item.column, item.value))
            elif isinstance(item, Mapping):
                for column, members in item.items():
                    if not isinstance(column, str):
                        raise InputError(f"by: a custom group maps a column name to {{label: values}}, "
                                         f"got key {column!r}")
                    if not isinstance(members, Mapping):
                        raise InputError(f"by: custom group on {column!r} must map labels to lists of values, "
                                         f"e.g. {{{column!r}: {{'SCO': ['CHN', 'RUS']}}}}; got {members!r}")
                    group = Group(column, column, members)
                    self.parts.append((column, column, group.value))
            else:
                raise InputError(f"by: expected a column name, a list of column names or a custom group "
                                 f"mapping, got {item!r}")
        outputs = [p[0] for p in self.parts]
        duplicated = sorted({c for c in outputs if outputs.count(c) > 1})
        if duplicated:
            raise InputError(f"by: column(s) {duplicated} named twice")
        self._kinds: dict[str, tuple[str, str]] = {}  # output -> (kind, doc id where first seen)

    @property
    def columns(self) -> list[str]:
        """Names of the group columns of results."""
        return [p[0] for p in self.parts]

    @property
    def sources(self) -> list[str]:
        """The metadata columns read."""
        return list(dict.fromkeys(p[1] for p in self.parts))

    def __bool__(self) -> bool:
        return bool(self.parts)

    def key(self, get: Callable[[str], Any], doc_id: str = "?") -> tuple:
        """The group key of one document; ``get(column)`` reads its metadata."""
        out = []
        for name, source, recode in self.parts:
            value = get(source)
            if is_missing(value):
                value = None
            elif not isinstance(value, _SCALAR):
                raise InputError(f"{self.where}: document {doc_id!r}, field {source!r}: a "
                                 f"{type(value).__name__} value ({value!r:.60}) cannot define a group")
            elif isinstance(value, np.generic):
                value = value.item()
            if isinstance(value, float) and value.is_integer():
                value = int(value)  # 2021.0 from a column with gaps is the year 2021
            if recode is not None:
                value = recode(value)
            if value is not None:
                self._check_kind(name, value, doc_id)
            out.append(value)
        return tuple(out)

    def doc_key(self, doc) -> tuple:
        return self.key(doc.get, doc.doc_id)

    def _check_kind(self, name: str, value: Any, doc_id: str) -> None:
        kind = "number" if isinstance(value, numbers.Number) and not isinstance(value, bool) else type(value).__name__
        seen = self._kinds.get(name)
        if seen is None:
            self._kinds[name] = (kind, doc_id, value)
        elif seen[0] != kind:
            raise InputError(f"{self.where}: field {name!r} mixes kinds of values: {seen[2]!r} ({seen[0]}) in "
                             f"document {seen[1]!r} and {value!r} ({kind}) in document {doc_id!r}; they would "
                             f"form separate groups that print alike. Make the column one kind (e.g. all text).")

    def check_keys(self, keys: Iterable[tuple], name: str) -> None:
        """Refuse the keys collected while streaming ``name`` when there are none, or when a
        column has no value in any of them (a typo in ``by``, not a table of one missing group)."""
        keys = list(keys)
        if not keys:
            raise InputError(f"{name}: the corpus has no documents")
        for j, column in enumerate(self.columns):
            if all(key[j] is None for key in keys):
                raise InputError(f"{name}: no document has a value for {self.parts[j][1]!r} (fields: doc_id, "
                                 f"date, year and the metadata columns of your corpus)")

    def order(self, keys: Iterable[tuple]) -> list[tuple]:
        """Distinct keys in the one order (column by column, missing last)."""
        return sorted(dict.fromkeys(keys), key=lambda k: tuple(sort_key(v) for v in k))

    def labels(self, keys: Sequence[tuple]) -> pd.DataFrame:
        """A table of the group columns, one row per key."""
        data = {}
        for j, name in enumerate(self.columns):
            values = [k[j] for k in keys]
            present = [v for v in values if v is not None]
            if present and all(isinstance(v, numbers.Integral) and not isinstance(v, bool) for v in present):
                data[name] = pd.array(values, dtype="Int64")   # years stay integers beside a missing one
            else:
                data[name] = pd.Series(values, dtype=object)
        return pd.DataFrame(data, columns=self.columns)

    def resolve(self, docs: pd.DataFrame) -> tuple[np.ndarray, pd.DataFrame]:
        """Group code of every row of a documents table, and the group labels.

        Returns
        -------
        codes : numpy.ndarray of int64, shape (n_docs,)
            ``labels`` row of every document.
        labels : pandas.DataFrame
            One row per group, in the one order; one column per entry of ``by``.
        """
        missing = [c for c in self.sources if c not in docs.columns]
        if missing:
            shown = ", ".join(map(str, docs.columns))
            raise InputError(f"{self.where}: no metadata column {missing[0]!r}; columns: {shown}")
        n = len(docs)

        def doc_id(i: int) -> str:
            return str(docs["doc_id"].iat[i]) if "doc_id" in docs.columns else str(i)

        columns = {c: docs[c].tolist() if docs[c].dtype == object else docs[c].array for c in self.sources}
        # The key of each distinct combination of raw values, not of each row: a corpus has
        # many documents but few values. In a column of Python objects values are told apart
        # by type too (1, 1.0 and True are equal in a dict), so the kind check sees every kind.
        try:
            combined = np.zeros(n, dtype=np.int64)
            for c in self.sources:
                if docs[c].dtype == object:
                    seen: dict = {}
                    codes = np.fromiter((seen.setdefault((v.__class__, v), len(seen)) for v in columns[c]),
                                        dtype=np.int64, count=n)
                else:
                    codes = pd.factorize(docs[c], use_na_sentinel=False)[0].astype(np.int64)
                size = int(codes.max()) + 1 if n else 1
                if combined.max(initial=0) > (2**62) // size:
                    raise TypeError  # too many combinations for one integer: the per-row path
                combined = combined * size + codes
        except TypeError:  # an unhashable value (a list): the per-row path names the document
            keys = [self.key(lambda c, i=i: columns[c][i], doc_id(i)) for i in range(n)]
            order = self.order(keys)
            code_of = {k: i for i, k in enumerate(order)}
            return np.fromiter((code_of[k] for k in keys), dtype=np.int64, count=n), self.labels(order)
        combo, distinct = pd.factorize(combined)  # combos numbered in order of first appearance
        first = np.zeros(len(distinct), dtype=np.int64)
        first[combo[::-1]] = np.arange(n - 1, -1, -1)
        keys = [self.key(lambda c, i=int(i): columns[c][i], doc_id(int(i))) for i in first]
        order = self.order(keys)
        code_of = {k: g for g, k in enumerate(order)}
        combo_code = np.array([code_of[k] for k in keys], dtype=np.int64)
        return combo_code[combo], self.labels(order)


def cluster_column(docs: pd.DataFrame, cluster: str, what: str) -> pd.Series:
    """The values of the metadata column a bootstrap resamples by (``cluster=``), as objects;
    an unknown column is an error naming the columns there are."""
    if cluster not in docs.columns:
        raise InputError(f"{what}: cluster={cluster!r} is not a metadata column; columns: "
                         + ", ".join(map(str, docs.columns)))
    return docs[cluster].astype(object)


def _as_list(by: Any) -> list:
    if by is None:
        return []
    if isinstance(by, (str, Group, Mapping)):
        return [by]
    if isinstance(by, (list, tuple)):
        return list(by)
    raise InputError(f"by: expected a column name, a list of column names or a custom group mapping, got {by!r}")


def match_groups(labels: pd.DataFrame, wanted: Any, *, what: str = "target", where: str = "corpus") -> np.ndarray:
    """Which groups (rows of a labels table of :meth:`Grouping.resolve`) are ``wanted``.

    What ``target=``/``reference=`` of keyness and frame counts accept: one group value
    or a list of values when ``by`` has one column (``2024``, ``[2023, 2024]``, ``"SCO"``);
    a tuple with one value per column, or a list of such tuples, when it has several
    (``("CHN", 2020)``). A value matches a group whose value is equal or prints the
    same (``"2024"`` matches 2024: command-line values are text); ``None`` matches the
    group of documents without a value.

    Returns
    -------
    numpy.ndarray of bool, shape (n_groups,)

    Raises
    ------
    InputError
        A wanted value matches no group (the message lists the groups), or a tuple does
        not have one value per column.

    Examples
    --------
    >>> labels = pd.DataFrame({"iso3": ["CHN", "CHN", "RUS"], "year": [2020, 2021, 2020]})
    >>> match_groups(labels, ("CHN", "2021")).tolist()
    [False, True, False]
    >>> match_groups(labels[["iso3"]].drop_duplicates(), ["RUS"]).tolist()
    [False, True]
    """
    columns = list(labels.columns)
    width = len(columns)
    if width == 1:
        items = list(wanted) if isinstance(wanted, (list, tuple, set, frozenset, range, np.ndarray, pd.Index,
                                                       pd.Series)) else [wanted]
        items = [(item,) for item in items]
    else:
        if isinstance(wanted, tuple) and not any(isinstance(v, (tuple, list)) for v in wanted):
            items = [wanted]
        elif isinstance(wanted, (list, tuple)):
            items = [tuple(item) if isinstance(item, (list, tuple)) else item for item in wanted]
        else:
            items = [wanted]
        for item in items:
            if not isinstance(item, tuple) or len(item) != width:
                raise InputError(f"{what}: groups of {', '.join(columns)} are given as one value per column, "
                                 f"e.g. {tuple(labels.iloc[0]) if len(labels) else ('a', 'b')!r}; got {item!r}")
    rows = [tuple(None if is_missing(v) else v for v in row) for row in labels.itertuples(index=False, name=None)]
    mask = np.zeros(len(rows), dtype=bool)
    absent = []  # every value asked for must exist: [2021, 1999] must not quietly mean 2021 alone
    for item in items:
        hit = np.fromiter((all(_same_value(have, want) for have, want in zip(row, item)) for row in rows),
                          dtype=bool, count=len(rows))
        if not hit.any():
            absent.append(_show(item))
        mask |= hit
    if absent:
        shown = ", ".join(_show(row) for row in rows[:30]) + (", ..." if len(rows) > 30 else "")
        raise InputError(f"{where}: {what} {', '.join(absent)} matches no group of {', '.join(columns)}; "
                         f"groups: {shown}")
    return mask


def describe_groups(columns: Sequence[str], wanted: Any) -> str:
    """A target or reference in words, for messages and ``attrs``.

    Examples
    --------
    >>> describe_groups(["year"], [2023, 2024]), describe_groups(["iso3", "year"], ("CHN", 2020))
    ('year = 2023, 2024', 'iso3, year = (CHN, 2020)')
    """
    columns = list(columns)
    if len(columns) == 1:
        items = list(wanted) if isinstance(wanted, (list, tuple, set, frozenset, range, np.ndarray, pd.Index,
                                                       pd.Series)) else [wanted]
        return f"{columns[0]} = {', '.join(map(str, items))}"
    items = [wanted] if isinstance(wanted, tuple) else list(wanted)
    return f"{', '.join(columns)} = " + ", ".join("(" + ", ".join(map(str, item)) + ")" for item in items)


def _same_value(have: Any, want: Any) -> bool:
    if is_missing(want):
        return have is None
    if have is None:
        return False
    if isinstance(want, np.generic):
        want = want.item()
    return have == want or str(have) == str(want)


def _show(key: tuple) -> str:
    return str(key[0]) if len(key) == 1 else "(" + ", ".join(map(str, key)) + ")"
