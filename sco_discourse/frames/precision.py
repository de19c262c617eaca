"""Precision, recall and coder agreement from coded sheets, and rates corrected by precision.

A coding sheet comes from :func:`sco_discourse.frames.sampling.sample_mentions` (``sco-discourse
frames sample``); a coder fills ``judgement`` with TRUE, FALSE or AMBIGUOUS. Here:

* :func:`load_sheet` reads and checks a coded sheet (errors name the file, row and field);
* :func:`sheet_precision` gives precision per frame and variant (and group) with Wilson
  intervals, *strict* (AMBIGUOUS counts as FALSE) and *lenient* (as TRUE). The sample is
  stratified (up to N mentions per cell), so a frame's precision weights each cell by its
  number of mentions in the corpus (``cell_size``), not by how many were coded;
* :func:`sheet_recall` estimates recall from coded near-miss sentences;
* :func:`coder_agreement` gives percent agreement, Cohen's kappa (two coders) and
  Krippendorff's alpha (any number) per frame;
* :func:`corrected_rates` multiplies frame rates by the estimated precision, with an
  interval that carries the uncertainty of both.
"""

from __future__ import annotations

import io
import math
from pathlib import Path
import numpy as np
import pandas as pd

from ..errors import InputError
from .sampling import JUDGEMENTS

__all__ = ["SheetError", "load_sheet", "sheet_precision", "sheet_recall", "coder_agreement", "corrected_rates",
           "PRECISION_COLUMNS", "RECALL_COLUMNS", "AGREEMENT_COLUMNS"]

PRECISION_COLUMNS = ["frame", "variant", "mentions", "n_coded", "n_true", "n_false", "n_ambiguous", "n_uncoded",
                     "precision", "ci_low", "ci_high", "precision_lenient", "lenient_low", "lenient_high",
                     "n_effective"]
RECALL_COLUMNS = ["frame", "near_miss_sentences", "n_coded", "n_missed", "missed", "missed_low", "missed_high",
                  "found", "recall", "recall_low", "recall_high"]
AGREEMENT_COLUMNS = ["frame", "n_items", "n_coders", "percent_agreement", "cohen_kappa", "krippendorff_alpha"]
_REQUIRED = ("sample_id", "kind", "frame", "variant", "cell", "cell_size", "judgement")
_ALIASES = {"T": "TRUE", "YES": "TRUE", "Y": "TRUE", "1": "TRUE", "F": "FALSE", "NO": "FALSE", "N": "FALSE",
            "0": "FALSE", "A": "AMBIGUOUS", "?": "AMBIGUOUS", "AMBIG": "AMBIGUOUS"}


class SheetError(InputError):
    """A malformed coding sheet: the message names the file, the row and the field."""


# --------------------------------------------------------------------------- reading
def load_sheet(sheet: str | Path | pd.DataFrame, *, source: str | None = None) -> pd.DataFrame:
    """Read and check a coding sheet (CSV written by ``frames sample``, coded by hand).

    Parameters
    ----------
    sheet : path or DataFrame
    source : str, optional
        What to call a DataFrame in messages.

    Returns
    -------
    pandas.DataFrame
        The sheet with ``judgement`` as "TRUE", "FALSE", "AMBIGUOUS" or "" (not coded yet;
        "T"/"F"/"yes"/"no"/"?" and any case are read as those), ``variant`` "" for none,
        ``cell_size`` as integers. ``attrs["source"]`` names the file.

    Raises
    ------
    SheetError
        Missing file or column, a judgement that is none of the above, a duplicated
        ``sample_id``, a ``cell_size`` that is not a whole number; the message names the
        file, the row (as in a spreadsheet: the header is row 1) and the column.

    Examples
    --------
    >>> import pandas as pd
    >>> raw = pd.DataFrame({"sample_id": ["S1", "S2"], "kind": ["mention"] * 2, "frame": ["win_win"] * 2,
    ...                     "variant": ["generic"] * 2, "cell": ["win_win:generic"] * 2, "cell_size": [9, 9],
    ...                     "judgement": ["true", "?"]})
    >>> load_sheet(raw)["judgement"].tolist()
    ['TRUE', 'AMBIGUOUS']
    """
    if isinstance(sheet, pd.DataFrame):
        table = sheet.copy()
        where = source or "<DataFrame>"
    else:
        path = Path(sheet)
        where = str(path)
        if not path.is_file():
            raise SheetError(f"{path}: coding sheet not found")
        try:
            text = path.read_text("utf-8-sig")
        except UnicodeDecodeError as exc:
            raise SheetError(f"{path}: not UTF-8 text ({exc.reason} at byte {exc.start}); save the sheet as "
                             f"UTF-8 CSV") from None
        try:
            table = pd.read_csv(io.StringIO(text), dtype=str, keep_default_na=False)
        except (pd.errors.ParserError, pd.errors.EmptyDataError) as exc:
            raise SheetError(f"{path}: not a readable CSV ({str(exc).strip()})") from None
    missing = [c for c in _REQUIRED if c not in table.columns]
    if missing:
        raise SheetError(f"{where}, header: missing column(s) {', '.join(missing)}; a coding sheet (from "
                         f"`sco-discourse frames sample`) has {', '.join(_REQUIRED)}")
    table = table.reset_index(drop=True)
    for column in ("sample_id", "kind", "frame", "variant", "cell", "judgement"):
        table[column] = table[column].map(lambda v: "" if v is None or (isinstance(v, float) and v != v)
                                          else str(v).strip())
    judgements = []
    for i, value in enumerate(table["judgement"]):
        upper = value.upper()
        upper = _ALIASES.get(upper, upper)
        if upper and upper not in JUDGEMENTS:
            raise SheetError(f"{where}, row {i + 2}, column 'judgement': {value!r} is not one of "
                             f"{', '.join(JUDGEMENTS)} (or empty for not coded)")
        judgements.append(upper)
    table["judgement"] = judgements
    sizes = []
    for i, value in enumerate(table["cell_size"]):
        try:
            number = float(value)
            if number != int(number) or number < 0:
                raise ValueError
        except (TypeError, ValueError):
            raise SheetError(f"{where}, row {i + 2}, column 'cell_size': {value!r} is not a whole number") from None
        sizes.append(int(number))
    table["cell_size"] = sizes
    for i, kind in enumerate(table["kind"]):
        if kind not in ("mention", "near_miss"):
            raise SheetError(f"{where}, row {i + 2}, column 'kind': {kind!r} is not 'mention' or 'near_miss'")
    duplicated = table["sample_id"].duplicated()
    if duplicated.any():
        i = int(np.flatnonzero(duplicated.to_numpy())[0])
        raise SheetError(f"{where}, row {i + 2}, column 'sample_id': {table['sample_id'].iloc[i]!r} appears twice")
    for cell, sizes_of in table.groupby("cell")["cell_size"]:
        if sizes_of.nunique() > 1:
            raise SheetError(f"{where}, column 'cell_size': cell {cell!r} has different sizes "
                             f"({', '.join(map(str, sorted(sizes_of.unique())))})")
    table.attrs["source"] = where
    return table


def _consensus(sheets: list[pd.DataFrame]) -> pd.DataFrame:
    """One judgement per item: the first sheet's rows with the majority judgement of the
    coders who judged it (a tie is AMBIGUOUS)."""
    base = sheets[0]
    if len(sheets) == 1:
        return base
    ids = base["sample_id"].tolist()
    for sheet in sheets[1:]:
        if sorted(sheet["sample_id"]) != sorted(ids):
            extra = sorted(set(sheet["sample_id"]) ^ set(ids))
            raise SheetError(f"{sheet.attrs.get('source', 'sheet')}: its sample_ids differ from "
                             f"{base.attrs.get('source', 'the first sheet')} (e.g. {extra[0]!r}); coders must code "
                             f"the same sheet")
    stacked = pd.DataFrame({i: s.set_index("sample_id").loc[ids, "judgement"].to_numpy()
                            for i, s in enumerate(sheets)}, index=ids)
    majority = []
    for row in stacked.itertuples(index=False):
        votes = [v for v in row if v]
        if not votes:
            majority.append("")
            continue
        counts = pd.Series(votes).value_counts()
        top = counts[counts == counts.max()].index.tolist()
        majority.append(top[0] if len(top) == 1 else "AMBIGUOUS")
    out = base.copy()
    out["judgement"] = majority
    return out


# --------------------------------------------------------------------------- precision
def sheet_precision(*sheets, by: str | list[str] | None = None, confidence: float = 0.95) -> pd.DataFrame:
    """Precision per frame and variant (and group) from coded sheets.

    Parameters
    ----------
    *sheets : path or DataFrame
        One coded sheet, or the same sheet coded by several coders (then each item's
        judgement is the majority of the coders who judged it; a tie is AMBIGUOUS).
    by : column or list of columns of the sheet, optional
        Also per group (e.g. "year", or a column the sheet was stratified by).
    confidence : float, default 0.95

    Returns
    -------
    pandas.DataFrame
        ``frame, variant, [by...], mentions, n_coded, n_true, n_false, n_ambiguous,
        n_uncoded, precision, ci_low, ci_high, precision_lenient, lenient_low,
        lenient_high, n_effective``. One row per variant and one per frame (``variant``
        ""), then a last row ``frame == "ALL"`` over every mention of the sheet.
        ``mentions`` is the number of mentions in the corpus the sample represents (sum
        of ``cell_size``); ``precision`` (strict: AMBIGUOUS is FALSE) and
        ``precision_lenient`` (AMBIGUOUS is TRUE) are stratified estimates weighting each
        sampled cell by its size, with Wilson intervals at the effective sample size
        ``n_effective`` (:func:`sco_discourse.stats.stratified_proportion`); within one
        cell they are the plain proportion and Wilson interval. Uncoded rows are left
        out and counted in ``n_uncoded``. Near-miss rows are not used here
        (:func:`sheet_recall`).

    Examples
    --------
    >>> import pandas as pd
    >>> sheet = pd.DataFrame({"sample_id": list("abcd"), "kind": "mention", "frame": "win_win",
    ...                       "variant": ["generic"] * 3 + ["cooperation"], "cell": ["g", "g", "g", "c"],
    ...                       "cell_size": [30, 30, 30, 1], "judgement": ["TRUE", "TRUE", "FALSE", "TRUE"]})
    >>> table = sheet_precision(sheet)
    >>> table[["frame", "variant", "mentions", "n_coded", "precision"]].round(3)
         frame      variant  mentions  n_coded  precision
    0  win_win  cooperation         1        1      1.000
    1  win_win      generic        30        3      0.667
    2  win_win                     31        4      0.677
    3      ALL                     31        4      0.677
    """
    from ..stats import stratified_proportion

    if not sheets:
        raise InputError("sheet_precision: give at least one coded sheet")
    loaded = [load_sheet(s) if not _is_loaded(s) else s for s in sheets]
    table = _consensus(loaded)
    groups = [by] if isinstance(by, str) else list(by or [])
    missing = [g for g in groups if g not in table.columns]
    if missing:
        raise SheetError(f"{table.attrs.get('source', 'sheet')}: --by column {missing[0]!r} is not in the sheet "
                         f"(columns: {', '.join(table.columns)})")
    mentions = table[table["kind"] == "mention"]
    rows = []

    def summarise(part: pd.DataFrame, keys: dict) -> dict:
        coded = part[part["judgement"] != ""]
        cells = part.groupby("cell", sort=True)
        size = cells["cell_size"].first()
        n = coded.groupby("cell").size().reindex(size.index, fill_value=0)
        true = coded[coded["judgement"] == "TRUE"].groupby("cell").size().reindex(size.index, fill_value=0)
        ambiguous = coded[coded["judgement"] == "AMBIGUOUS"].groupby("cell").size().reindex(size.index, fill_value=0)
        strict = stratified_proportion(true, n, size, confidence=confidence)
        lenient = stratified_proportion(true + ambiguous, n, size, confidence=confidence)
        return {**keys, "mentions": int(size.sum()), "n_coded": len(coded),
                "n_true": int((coded["judgement"] == "TRUE").sum()),
                "n_false": int((coded["judgement"] == "FALSE").sum()),
                "n_ambiguous": int((coded["judgement"] == "AMBIGUOUS").sum()),
                "n_uncoded": len(part) - len(coded),
                "precision": strict[0], "ci_low": strict[1], "ci_high": strict[2],
                "precision_lenient": lenient[0], "lenient_low": lenient[1], "lenient_high": lenient[2],
                "n_effective": strict[3]}

    group_keys = (lambda part: part.groupby(groups, sort=True, dropna=False)) if groups else None
    for frame, frame_part in mentions.groupby("frame", sort=False):
        for variant, part in frame_part.groupby("variant", sort=True):
            if variant == "":
                continue
            if groups:
                for values, sub in group_keys(part):
                    rows.append(summarise(sub, {"frame": frame, "variant": variant, **_group_dict(groups, values)}))
            else:
                rows.append(summarise(part, {"frame": frame, "variant": variant}))
        if groups:
            for values, sub in group_keys(frame_part):
                rows.append(summarise(sub, {"frame": frame, "variant": "", **_group_dict(groups, values)}))
        else:
            rows.append(summarise(frame_part, {"frame": frame, "variant": ""}))
    if len(mentions):
        rows.append(summarise(mentions, {"frame": "ALL", "variant": "", **{g: None for g in groups}}))
    columns = PRECISION_COLUMNS[:2] + groups + PRECISION_COLUMNS[2:]
    out = pd.DataFrame(rows, columns=columns)
    out.attrs.update({k: v for k, v in loaded[0].attrs.items() if k != "source"})
    out.attrs.update(sheets=[s.attrs.get("source", "") for s in loaded], confidence=confidence,
                     method="stratified proportion over sampled cells, Wilson interval at the effective sample size")
    return out


def _is_loaded(sheet) -> bool:
    return isinstance(sheet, pd.DataFrame) and sheet.attrs.get("source") is not None and \
        sheet["judgement"].isin(("",) + JUDGEMENTS).all()


def _group_dict(groups: list[str], values) -> dict:
    values = values if isinstance(values, tuple) else (values,)
    return dict(zip(groups, values))


# --------------------------------------------------------------------------- recall
def sheet_recall(*sheets, precision: pd.DataFrame | None = None, confidence: float = 0.95) -> pd.DataFrame:
    """Recall per frame estimated from coded near-miss sentences.

    A near-miss sentence holds a frame's cue words but no counted mention; coded TRUE, it
    holds a mention the lexicon missed (taken as one per sentence). The missed mentions
    of the corpus are estimated as ``near_miss_sentences × share coded TRUE`` (Wilson
    interval on the share); the mentions found that are right as ``mentions × strict
    precision`` (its interval from the precision interval). Recall = found / (found +
    missed); its interval combines the extremes (lowest found with most missed, and the
    reverse), so it is conservative. Misses in sentences without the cue words are not
    seen: this is an upper bound on recall, as good as the cue words.

    Parameters
    ----------
    *sheets : path or DataFrame
        Coded sheets with near-miss rows (``frames sample --near-misses N``).
    precision : DataFrame, optional
        :func:`sheet_precision` of the same sheets (computed when not given).
    confidence : float, default 0.95

    Returns
    -------
    pandas.DataFrame
        ``frame, near_miss_sentences, n_coded, n_missed, missed, missed_low, missed_high,
        found, recall, recall_low, recall_high``; one row per frame with near-miss rows.

    Examples
    --------
    >>> import pandas as pd
    >>> sheet = pd.DataFrame({"sample_id": list("abcde"), "frame": "win_win", "variant": ["generic"] * 3 + ["", ""],
    ...                       "kind": ["mention"] * 3 + ["near_miss"] * 2, "cell": ["g", "g", "g", "n", "n"],
    ...                       "cell_size": [8, 8, 8, 20, 20], "judgement": ["TRUE", "TRUE", "TRUE", "TRUE", "FALSE"]})
    >>> sheet_recall(sheet)[["frame", "missed", "found", "recall"]]
         frame  missed  found    recall
    0  win_win    10.0    8.0  0.444444
    """
    from ..stats import wilson_interval

    loaded = [load_sheet(s) if not _is_loaded(s) else s for s in sheets]
    table = _consensus(loaded)
    if precision is None:
        precision = sheet_precision(*loaded, confidence=confidence)
    frame_rows = precision[(precision["variant"] == "") & (precision["frame"] != "ALL")].set_index("frame")
    rows = []
    for frame, part in table[table["kind"] == "near_miss"].groupby("frame", sort=False):
        coded = part[part["judgement"] != ""]
        sentences = int(part.groupby("cell")["cell_size"].first().sum())
        n, missed_n = len(coded), int((coded["judgement"] == "TRUE").sum())
        low, high = wilson_interval(missed_n, n, confidence=confidence) if n else (np.nan, np.nan)
        share = missed_n / n if n else np.nan
        if frame in frame_rows.index:
            row = frame_rows.loc[frame]
            found = row["mentions"] * row["precision"]
            found_low, found_high = row["mentions"] * row["ci_low"], row["mentions"] * row["ci_high"]
        else:
            found = found_low = found_high = 0.0
        missed, missed_low, missed_high = sentences * share, sentences * low, sentences * high
        rows.append({"frame": frame, "near_miss_sentences": sentences, "n_coded": n, "n_missed": missed_n,
                     "missed": missed, "missed_low": missed_low, "missed_high": missed_high, "found": found,
                     "recall": _ratio(found, found + missed), "recall_low": _ratio(found_low, found_low + missed_high),
                     "recall_high": _ratio(found_high, found_high + missed_low)})
    out = pd.DataFrame(rows, columns=RECALL_COLUMNS)
    out.attrs.update(confidence=confidence, method="near-miss sentences; conservative interval (extremes combined)")
    return out


def _ratio(a: float, b: float) -> float:
    return float(a / b) if b and not math.isnan(b) else float("nan")


# --------------------------------------------------------------------------- agreement
def coder_agreement(*sheets) -> pd.DataFrame:
    """Agreement between coders of the same sheet, per frame and overall.

    Parameters
    ----------
    *sheets : path or DataFrame
        Two or more copies of one sheet (same ``sample_id``), each coded by one coder.

    Returns
    -------
    pandas.DataFrame
        ``frame, n_items, n_coders, percent_agreement, cohen_kappa, krippendorff_alpha``:
        one row per frame and a last row ``ALL``. Items judged by at least two coders are
        used; ``percent_agreement`` is the share of them on which every coder agrees;
        ``cohen_kappa`` is given for exactly two coders
        (:func:`sco_discourse.stats.cohen_kappa`), ``krippendorff_alpha`` (nominal) for
        any number (:func:`sco_discourse.stats.krippendorff_alpha`). The categories are
        TRUE, FALSE and AMBIGUOUS; mention and near-miss rows both count.

    Examples
    --------
    >>> import pandas as pd
    >>> base = dict(sample_id=list("abcd"), kind="mention", frame="win_win", variant="generic", cell="g",
    ...             cell_size=4)
    >>> one = pd.DataFrame({**base, "judgement": ["TRUE", "TRUE", "FALSE", "FALSE"]})
    >>> two = pd.DataFrame({**base, "judgement": ["TRUE", "FALSE", "FALSE", "FALSE"]})
    >>> coder_agreement(one, two)[["frame", "n_items", "percent_agreement", "cohen_kappa"]]
         frame  n_items  percent_agreement  cohen_kappa
    0  win_win        4               0.75          0.5
    1      ALL        4               0.75          0.5
    """
    from ..stats import cohen_kappa, krippendorff_alpha

    if len(sheets) < 2:
        raise InputError("coder_agreement: give the same sheet coded by at least two coders")
    loaded = [load_sheet(s, source=f"sheet {i + 1}") if not _is_loaded(s) else s for i, s in enumerate(sheets)]
    _consensus(loaded)  # checks that the sheets hold the same items
    ids = loaded[0]["sample_id"].tolist()
    matrix = np.array([s.set_index("sample_id").loc[ids, "judgement"].to_numpy() for s in loaded], dtype=object)
    frames = loaded[0]["frame"].to_numpy()
    rows = []
    for frame in list(dict.fromkeys(frames)) + ["ALL"]:
        columns = np.ones(len(ids), dtype=bool) if frame == "ALL" else frames == frame
        part = matrix[:, columns]
        judged = (part != "").sum(axis=0) >= 2
        part = part[:, judged]
        if part.shape[1] == 0:
            rows.append({"frame": frame, "n_items": 0, "n_coders": len(loaded), "percent_agreement": np.nan,
                         "cohen_kappa": np.nan, "krippendorff_alpha": np.nan})
            continue
        agree = np.mean([len({v for v in part[:, j] if v}) == 1 for j in range(part.shape[1])])
        kappa = cohen_kappa([v or None for v in part[0]], [v or None for v in part[1]]) if len(loaded) == 2 else np.nan
        alpha = krippendorff_alpha([[v or None for v in r] for r in part])
        rows.append({"frame": frame, "n_items": int(part.shape[1]), "n_coders": len(loaded),
                     "percent_agreement": float(agree), "cohen_kappa": kappa, "krippendorff_alpha": alpha})
    return pd.DataFrame(rows, columns=AGREEMENT_COLUMNS)


# --------------------------------------------------------------------------- corrected rates
def corrected_rates(counts: pd.DataFrame, precision: pd.DataFrame, *, use: str = "strict", n_draws: int = 4000,
                    random_state: int = 0, confidence: float = 0.95) -> pd.DataFrame:
    """Frame counts and rates corrected by the precision measured on a coded sample.

    The corrected rate is ``rate × precision`` (the rate of mentions that are right). Its
    interval carries both uncertainties by a parametric bootstrap with ``n_draws`` seeded
    draws: the precision is drawn from its Jeffreys posterior ``Beta(p n + 1/2, (1 - p) n
    + 1/2)`` at the effective sample size ``n`` of the precision table; the rate from a
    log-normal matching its interval (``ci_low``/``ci_high`` of a grouped counts table)
    when the interval's lower end is above 0, and is held fixed otherwise (a
    per-document table has no interval). A zero count stays zero with upper end
    ``ci_high × precision upper end``.

    Parameters
    ----------
    counts : DataFrame
        A :func:`sco_discourse.frames.frame_counts` table (``frame, variant, count,
        rate_per_10k`` and, grouped, ``ci_low, ci_high``).
    precision : DataFrame
        :func:`sheet_precision`. A variant row is used where the sheet coded that
        variant, else the frame's row.
    use : {"strict", "lenient"}, default "strict"
    n_draws : int, default 4000
    random_state : int, default 0
    confidence : float, default 0.95

    Returns
    -------
    pandas.DataFrame
        ``counts`` with ``precision, precision_low, precision_high, count_corrected,
        rate_corrected, corrected_low, corrected_high`` added; NaN where the precision
        table has neither the variant nor the frame. ``attrs["caveat"]`` names such frames.

    Examples
    --------
    >>> import pandas as pd
    >>> counts = pd.DataFrame({"year": [2020], "frame": ["win_win"], "variant": [""], "count": [50],
    ...                        "rate_per_10k": [2.0], "ci_low": [1.5], "ci_high": [2.6]})
    >>> prec = pd.DataFrame({"frame": ["win_win"], "variant": [""], "precision": [0.8], "ci_low": [0.6],
    ...                      "ci_high": [0.9], "precision_lenient": [0.9], "lenient_low": [0.7],
    ...                      "lenient_high": [0.97], "n_effective": [20.0]})
    >>> out = corrected_rates(counts, prec)
    >>> float(out["rate_corrected"].iloc[0]), float(out["count_corrected"].iloc[0])
    (1.6, 40.0)
    >>> bool(out["corrected_low"].iloc[0] < 1.6 < out["corrected_high"].iloc[0])
    True
    """
    from scipy.stats import norm

    if use not in ("strict", "lenient"):
        raise InputError(f"use must be 'strict' or 'lenient', not {use!r}")
    needed = ["frame", "variant", "count", "rate_per_10k"]
    missing = [c for c in needed if c not in counts.columns]
    if missing:
        raise InputError(f"counts: missing column(s) {', '.join(missing)} (a frame_counts table)")
    p_col, lo_col, hi_col = (("precision", "ci_low", "ci_high") if use == "strict"
                             else ("precision_lenient", "lenient_low", "lenient_high"))
    for column in (p_col, lo_col, hi_col, "n_effective", "frame", "variant"):
        if column not in precision.columns:
            raise InputError(f"precision: missing column {column!r} (a sheet_precision table)")
    table = precision[precision["frame"] != "ALL"]
    extra_groups = [c for c in table.columns if c not in PRECISION_COLUMNS]
    if extra_groups:  # grouped precision: the caller chooses a group first
        raise InputError(f"precision: the table is per group ({', '.join(extra_groups)}); pass one precision "
                         f"per frame and variant (sheet_precision without by)")
    lookup = {(f, v): (p, lo, hi, n) for f, v, p, lo, hi, n in
              zip(table["frame"], table["variant"], table[p_col], table[lo_col], table[hi_col], table["n_effective"])}
    rng = np.random.default_rng(random_state)
    z = norm.ppf(1 - (1 - confidence) / 2)
    alpha = (1 - confidence) / 2
    out = counts.copy()
    has_ci = "ci_low" in counts.columns and "ci_high" in counts.columns
    results = []
    unmatched: set[str] = set()
    for i, row in enumerate(counts.itertuples(index=False)):
        row = row._asdict() if hasattr(row, "_asdict") else dict(zip(counts.columns, row))
        frame, variant = row["frame"], "" if pd.isna(row["variant"]) else row["variant"]
        found = lookup.get((frame, variant)) or lookup.get((frame, ""))
        if found is None or pd.isna(found[0]):
            unmatched.add(frame)
            results.append((np.nan,) * 7)
            continue
        p, p_low, p_high, n_eff = (float(x) for x in found)
        rate, count = float(row["rate_per_10k"]), float(row["count"])
        draws_p = rng.beta(p * n_eff + 0.5, (1 - p) * n_eff + 0.5, size=n_draws)
        if count == 0 or not rate == rate:
            high = float(row["ci_high"]) * p_high if has_ci and row["ci_high"] == row["ci_high"] else 0.0
            results.append((p, p_low, p_high, 0.0, 0.0 if rate == rate else np.nan, 0.0, high))
            continue
        if has_ci and row["ci_low"] > 0 and row["ci_high"] > row["ci_low"]:
            sigma = (math.log(row["ci_high"]) - math.log(row["ci_low"])) / (2 * z)
            draws_rate = rate * np.exp(rng.normal(0.0, sigma, size=n_draws))
        else:
            draws_rate = np.full(n_draws, rate)
        product = draws_rate * draws_p
        low, high = np.quantile(product, [alpha, 1 - alpha])
        results.append((p, p_low, p_high, count * p, rate * p, float(low), float(high)))
    added = pd.DataFrame(results, columns=["precision", "precision_low", "precision_high", "count_corrected",
                                           "rate_corrected", "corrected_low", "corrected_high"], index=out.index)
    out = pd.concat([out, added], axis=1)
    out.attrs.update(counts.attrs)
    out.attrs.update(precision_use=use, precision_draws=n_draws, precision_random_state=random_state,
                     correction="rate x precision; parametric bootstrap: Beta (Jeffreys) precision, log-normal rate")
    caveat = f"no precision for frame(s) {', '.join(sorted(unmatched))}: not corrected" if unmatched else ""
    if caveat:
        out.attrs["caveat"] = "; ".join(c for c in (counts.attrs.get("caveat", ""), caveat) if c)
    return out
