"""Topic–frame linkage: which topics carry which frames.

Both sides are middle objects made once: a fitted topic model and a frame mention table
(from :func:`sco_discourse.frames.find_mentions`, or any table with ``doc_id, frame,
start``, e.g. coded by hand). Mentions are placed in the modelling unit that contains
their first character. Two views per frame and topic:

* **dominant-topic share**: of the frame's mentions, the share that falls in units whose
  largest topic is this one ("40 % of 'shared future' mentions sit in health paragraphs");
* **mean proportion with vs without**: the topic's mean proportion in units that mention
  the frame against units that do not; their difference is the ``association`` (positive:
  the frame is used where this topic is talked about).
"""

from __future__ import annotations

import warnings

import numpy as np
import pandas as pd

from ..errors import InputError

__all__ = ["assign_mentions", "topic_frame_linkage"]


def assign_mentions(model, mentions: pd.DataFrame) -> pd.DataFrame:
    """Place frame mentions in the model's units.

    Parameters
    ----------
    model : TopicModel
        Fitted; its units must carry ``doc_id, start, end`` (units made from a corpus).
    mentions : pandas.DataFrame
        At least ``doc_id, frame, start`` (character offset in ``Document.text``).

    Returns
    -------
    pandas.DataFrame
        The mentions with ``unit_id`` (missing when the mention lies in no modelled unit,
        e.g. a unit dropped for having no vocabulary term), ``topic`` (the unit's
        dominant topic, -1 when unassigned) and ``topic_weight`` (its proportion).

    Examples
    --------
    >>> from sco_discourse import Corpus, Document
    >>> from sco_discourse.topics import Preprocessor, TopicModel
    >>> corpus = Corpus.from_documents([Document("a", "tea cup tea leaf\\nrail train track rail"),
    ...                                 Document("b", "tea leaf cup\\ntrain rail track")])
    >>> model = TopicModel(2, method="nmf", min_tokens=1,
    ...                    preprocessor=Preprocessor(phrases=False, min_df=1, max_df=1.0)).fit(corpus)
    >>> m = pd.DataFrame({"doc_id": ["a", "a", "c"], "frame": ["x", "x", "y"], "start": [4, 20, 0]})
    >>> placed = assign_mentions(model, m)
    >>> placed["unit_id"].tolist()   # document "c" was not modelled
    ['a/p0', 'a/p1', nan]
    >>> bool(placed["topic"][0] != placed["topic"][1]), int(placed["topic"][2])   # tea, rail, none
    (True, -1)
    """
    units, theta = _fitted_units(model)
    missing = [c for c in ("doc_id", "start", "end") if c not in units.columns]
    if missing:
        raise InputError(f"topic-frame linkage: the model's units have no {missing} columns; fit the model on a "
                         "corpus (not on bare texts) so mentions can be placed by character offset")
    missing = [c for c in ("doc_id", "frame", "start") if c not in mentions.columns]
    if missing:
        raise InputError(f"topic-frame linkage: the mention table lacks column(s) {missing} "
                         f"(columns: {list(mentions.columns)})")
    out = mentions.reset_index(drop=True).copy()
    unit_index = np.full(len(out), -1, dtype=np.int64)
    by_doc = {doc: group for doc, group in units.reset_index(drop=True).groupby("doc_id", sort=False)}
    for doc, rows in out.groupby("doc_id", sort=False).groups.items():
        group = by_doc.get(doc)
        if group is None:
            continue
        group = group.sort_values("start")
        starts = group["start"].to_numpy()
        ends = group["end"].to_numpy()
        positions = out.loc[rows, "start"].to_numpy(dtype=np.int64)
        slot = np.searchsorted(starts, positions, side="right") - 1
        inside = (slot >= 0) & (positions < ends[np.clip(slot, 0, None)])
        unit_index[np.asarray(rows)[inside]] = group.index.to_numpy()[slot[inside]]
    found = unit_index >= 0
    out["unit_id"] = pd.array([units["unit_id"].iat[i] if i >= 0 else pd.NA for i in unit_index], dtype="object")
    dominant = np.asarray(theta).argmax(axis=1)
    out["topic"] = np.where(found, dominant[np.clip(unit_index, 0, None)], -1)
    out["topic_weight"] = np.where(found, np.asarray(theta)[np.clip(unit_index, 0, None), out["topic"].clip(0)],
                                   np.nan)
    return out


def topic_frame_linkage(model, mentions: pd.DataFrame, *, warn: bool = True) -> pd.DataFrame:
    """For every frame, how its mentions spread over topics.

    Parameters
    ----------
    model : TopicModel
        Fitted on a corpus (its units carry character spans).
    mentions : pandas.DataFrame
        Frame mentions in the corpus the model was fitted on, at least ``doc_id, frame,
        start`` — e.g. ``find_mentions(corpus)`` or coded by hand.
    warn : bool, default True
        Warn when mentions fall outside every modelled unit.

    Returns
    -------
    pandas.DataFrame
        One row per frame and topic: ``frame, topic, label, n_mentions`` (mentions in
        units with this dominant topic), ``mention_share`` (of the frame's placed
        mentions), ``n_units_with, n_units_without`` (units that do / do not mention the
        frame), ``mean_with, mean_without`` (mean topic proportion in those units) and
        ``association`` (``mean_with - mean_without``).

    Examples
    --------
    >>> from sco_discourse import Corpus, Document
    >>> from sco_discourse.topics import Preprocessor, TopicModel
    >>> corpus = Corpus.from_documents([Document("a", "tea cup tea leaf\\nrail train track rail\\ntea leaf rail"),
    ...                                 Document("b", "tea leaf cup\\ntrain rail track")])
    >>> model = TopicModel(2, method="nmf", min_tokens=1,
    ...                    preprocessor=Preprocessor(phrases=False, min_df=1, max_df=1.0)).fit(corpus)
    >>> m = pd.DataFrame({"doc_id": ["a", "a", "b"], "frame": ["x", "x", "x"], "start": [0, 4, 0]})
    >>> table = topic_frame_linkage(model, m)   # every mention is in a tea paragraph (a/p0, b/p0)
    >>> tea = int(model.transform(["tea cup"]).argmax())
    >>> table.loc[table["topic"] == tea, ["n_mentions", "mention_share", "n_units_with", "n_units_without"]].values.tolist()
    [[3.0, 1.0, 2.0, 3.0]]
    """
    if not isinstance(mentions, pd.DataFrame):
        raise InputError("topic-frame linkage: mentions must be a mention table (a DataFrame with doc_id, frame, "
                         f"start), e.g. find_mentions(corpus); got {type(mentions).__name__}")
    placed = assign_mentions(model, mentions)
    unplaced = placed["unit_id"].isna()
    if unplaced.any() and warn:
        warnings.warn(f"topic-frame linkage: {int(unplaced.sum())} of {len(placed)} mentions lie in no modelled "
                      "unit (dropped units or other documents) and are left out", UserWarning, stacklevel=2)
    placed = placed[~unplaced]
    theta = np.asarray(model.unit_topics_, dtype=float)
    n_topics = theta.shape[1]
    labels = list(getattr(model, "labels_", [str(k) for k in range(n_topics)]))
    unit_pos = pd.Series(np.arange(len(model.units_)), index=model.units_["unit_id"].to_numpy())
    rows = []
    for frame in sorted(placed["frame"].unique()):
        part = placed[placed["frame"] == frame]
        counts = np.bincount(part["topic"].to_numpy(dtype=np.int64), minlength=n_topics)
        with_mask = np.zeros(len(theta), dtype=bool)
        with_mask[unit_pos.loc[part["unit_id"].unique()].to_numpy()] = True
        mean_with = theta[with_mask].mean(axis=0)
        mean_without = theta[~with_mask].mean(axis=0) if (~with_mask).any() else np.full(n_topics, np.nan)
        for k in range(n_topics):
            rows.append({"frame": frame, "topic": k, "label": labels[k], "n_mentions": int(counts[k]),
                         "mention_share": counts[k] / counts.sum(), "n_units_with": int(with_mask.sum()),
                         "n_units_without": int((~with_mask).sum()), "mean_with": float(mean_with[k]),
                         "mean_without": float(mean_without[k]),
                         "association": float(mean_with[k] - mean_without[k])})
    out = pd.DataFrame(rows, columns=["frame", "topic", "label", "n_mentions", "mention_share", "n_units_with",
                                       "n_units_without", "mean_with", "mean_without", "association"])
    from .prevalence import model_attrs

    out.attrs = {**model_attrs(model), **dict(mentions.attrs), **out.attrs}
    return out


def _fitted_units(model) -> tuple[pd.DataFrame, np.ndarray]:
    units = getattr(model, "units_", None)
    theta = getattr(model, "unit_topics_", None)
    if units is None or theta is None:
        raise InputError("topic-frame linkage needs a fitted TopicModel (call fit(...) first)")
    return units, theta
