"""Choosing K on the UN General Debate paragraphs: the K sweep before and after, and LDA backends.

Two parts, each case in a fresh Python process (CPU time = the process and its workers):

``sweep``
    The sweep as it was (``reference_sweep`` below: one model after another, coherence
    counted over all paragraphs once per run, every K fitted) against
    :func:`sco_discourse.topics.sweep` (one analysis of the texts, ``n_jobs`` workers,
    NMF in float32 unless ``--nmf-dtype float64``, one coherence pass per K, early
    stopping; with ``--coherence-sample N`` coherence counted in N sampled paragraphs),
    on the same units and grid, side by side. It prints wall and CPU time, the selected K
    of both, how far the fitted models' scores differ (exclusivity, stability: 0 for the
    same fits; float32 fits differ in the last digits), the ranking of the Ks both paths
    fitted by the selection criterion, and the check of the coherence sample: the ranking
    of the Ks by mean coherence over all paragraphs (the old path) against the new path's
    (Spearman correlation, same best K).
``lda``
    gensim ``LdaModel`` (the package's default settings), scikit-learn
    ``LatentDirichletAllocation`` (batch) and tomotopy ``LDAModel`` (Gibbs sampling, one
    thread) at one K on the same count matrix: fit time, identical topic-word output
    from two fresh processes with the same seed, mean coherence of the topics (C_V and
    NPMI on a fixed sample of paragraphs, u_mass) and the overlap of top words between
    backends (matched Jaccard similarity of the top-10 sets, as sweep's stability).

Run it
------
    python benchmarks/bench_ksweep.py sweep            # the 2013-2024 paragraph grid
    python benchmarks/bench_ksweep.py lda

The grid is ``--ks 5 10 15 20 25 30 --seeds 3 --method nmf --sample-fraction 0.8
--measures c_v`` on every paragraph of the 2013-2024 speeches (about 66,000); ``--units
N`` draws N paragraphs at random (seed 0) for a shorter run (the README's figures are of
the full grid: the old path alone took 940 s wall, 748 s CPU on the loaded 2-core machine). ``--keep DIR``
saves each path's table and timings; ``--old-results DIR`` compares a new run with them. Every case runs with one
BLAS thread per process (``SINGLE_THREAD``), so the figures compare code, not thread
scheduling; the new sweep's parallelism is its worker processes (``--jobs``).
"""

from __future__ import annotations

import argparse
import json
import os
import pickle
import resource
import subprocess
import sys
import tempfile
import time
import warnings
from pathlib import Path

import numpy as np
import pandas as pd

# the shared corpora: $SCO_DISCOURSE_CORPORA, else a "shared/corpora" folder beside the checkout
CORPORA = Path(os.environ.get("SCO_DISCOURSE_CORPORA")
               or next((p / "shared" / "corpora" for p in Path(__file__).resolve().parents
                        if (p / "shared" / "corpora").is_dir()), Path("corpora")))
DEFAULT_CORPUS = str(CORPORA / "ungdc" / "ungdc_speeches_1946-2024.jsonl.gz")
SINGLE_THREAD = {"OMP_NUM_THREADS": "1", "OPENBLAS_NUM_THREADS": "1", "MKL_NUM_THREADS": "1",
                 "PYTHONWARNINGS": "ignore"}


def _cpu_s() -> float:
    """CPU time of this process and of its finished child processes (the sweep's workers)."""
    own = resource.getrusage(resource.RUSAGE_SELF)
    children = resource.getrusage(resource.RUSAGE_CHILDREN)
    return own.ru_utime + own.ru_stime + children.ru_utime + children.ru_stime


# ---------------------------------------------------------------------- the sweep as it was
def reference_coherence(topics, texts, *, measure, n):
    """Coherence as the sweep computed it before: a new Dictionary and a pass over all texts per call."""
    from gensim.corpora import Dictionary
    from gensim.models import CoherenceModel

    texts = [list(t) for t in texts]
    dictionary = Dictionary(texts)
    topics = [[t for t in topic if t in dictionary.token2id][:n] for topic in topics]
    kwargs = {"texts": texts} if measure != "u_mass" else {"corpus": [dictionary.doc2bow(t) for t in texts]}
    model = CoherenceModel(topics=topics, dictionary=dictionary, coherence=measure, topn=n, processes=1, **kwargs)
    return np.asarray(model.get_coherence_per_topic(), dtype=float)


def reference_sweep(units, ks, *, seeds, method, measures, n_terms=10, heldout=0.1, sample_fraction=1.0,
                    random_state=0, **model_options) -> pd.DataFrame:
    """The K sweep before it was parallel, sampled and stopped early (same units, same scores)."""
    from sklearn.base import clone
    from sklearn.frozen import FrozenEstimator

    from sco_discourse.topics import Preprocessor, TopicModel, exclusivity
    from sco_discourse.topics.selection import stability

    seed_list = list(range(random_state, random_state + seeds))
    pre = Preprocessor()
    counts = pre.fit_transform(units["text"])
    texts = pre.transform_tokens(units["text"])
    template = TopicModel(ks[0], method=method, random_state=seed_list[0], preprocessor=FrozenEstimator(pre),
                          **model_options)
    n_units = counts.shape[0]
    order = np.random.default_rng(random_state).permutation(n_units)
    n_heldout = int(round(heldout * n_units))
    held_idx = np.sort(order[:n_heldout])
    train_idx = np.sort(order[n_heldout:])
    held_units = units.iloc[held_idx].reset_index(drop=True)
    n_held_scored = int((counts[held_idx].getnnz(axis=1) > 0).sum()) if n_heldout else 0
    rows = []
    for k in ks:
        runs = []
        for seed in seed_list:
            idx = train_idx
            if sample_fraction < 1:
                rng = np.random.default_rng(seed)
                idx = np.sort(rng.choice(train_idx, size=max(2, int(round(sample_fraction * len(train_idx)))),
                                         replace=False))
            model = clone(template).set_params(n_topics=k, random_state=seed)
            model.fit(units.iloc[idx].reset_index(drop=True), counts=counts[idx])
            top = [g["term"].tolist() for _, g in model.topic_terms(n_terms).groupby("topic", sort=True)]
            runs.append(top)
            row = {"method": method, "k": k, "seed": seed}
            for measure in measures:
                row[f"coherence_{measure}"] = float(np.mean(reference_coherence(top, texts, measure=measure,
                                                                                n=n_terms)))
            row["exclusivity"] = float(np.mean(exclusivity(model.components_, n=n_terms)))
            row["perplexity"] = (model.perplexity(held_units, counts=counts[held_idx])
                                 if method != "nmf" and n_held_scored else float("nan"))
            row.update(n_units=len(model.units_), n_heldout=n_held_scored, n_terms=len(pre.vocabulary_))
            rows.append(row)
        for row, value in zip(rows[-len(seed_list):], stability(runs)):
            row["stability"] = float(value)
    table = pd.DataFrame(rows)
    table.insert(3, "coherence", table[f"coherence_{measures[0]}"])
    return table


# ---------------------------------------------------------------------- preparation
def prepare_units(args, data: Path) -> dict:
    from sco_discourse import load_corpus
    from sco_discourse.topics import as_units

    t0 = time.perf_counter()
    corpus = load_corpus(args.corpus, validate=False).where(f"year={args.years}")
    units, docs = as_units(corpus, unit="paragraph")
    n_all = len(units)
    if args.units and args.units < len(units):
        keep = np.sort(np.random.default_rng(0).choice(len(units), size=args.units, replace=False))
        units = units.iloc[keep].reset_index(drop=True)
    units.to_pickle(data / "units.pkl")
    return {"documents": len(docs), "paragraphs": n_all, "units": len(units), "seconds": time.perf_counter() - t0}


def _run_child(part: str, case: str, data: Path, args) -> dict:
    cmd = [sys.executable, __file__, part, "--child", case, "--data", str(data), *args.passthrough]
    out = subprocess.run(cmd, capture_output=True, text=True, env={**os.environ, **SINGLE_THREAD})
    if out.returncode:
        print(out.stderr, file=sys.stderr)
        raise SystemExit(f"{part} case {case} failed")
    return json.loads(out.stdout.strip().splitlines()[-1])


# ---------------------------------------------------------------------- part 1: the sweep
def sweep_child(case: str, data: Path, args) -> dict:
    units = pd.read_pickle(data / "units.pkl")
    import gensim  # noqa: F401  (import cost not timed)
    import sklearn.decomposition  # noqa: F401

    from sco_discourse.topics import sweep
    from sco_discourse.topics.selection import select_k

    grid = dict(seeds=args.seeds, method=args.method, measures=args.measures, sample_fraction=args.sample_fraction,
                heldout=args.heldout, random_state=0)
    cpu0, t0 = _cpu_s(), time.perf_counter()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        if case == "old":
            table = reference_sweep(units, args.ks, **grid)
            skipped = []
        else:
            options = {"nmf_dtype": args.nmf_dtype} if args.nmf_dtype else {}
            table = sweep(units, args.ks, n_jobs=args.jobs, coherence_sample=args.coherence_sample or None,
                          early_stop=args.early_stop or None, progress=False, **grid, **options)
            skipped = table.attrs["ks_skipped"]
    wall, cpu = time.perf_counter() - t0, _cpu_s() - cpu0
    table.to_pickle(data / f"sweep-{case}.pkl")
    return {"case": case, "wall_s": wall, "cpu_s": cpu, "selected_k": select_k(table), "ks_skipped": skipped}


def sweep_main(args) -> None:
    from scipy.stats import spearmanr

    from sco_discourse.topics.selection import k_criterion

    with tempfile.TemporaryDirectory() as tmp:
        data = Path(tmp)
        info = prepare_units(args, data)
        if args.old_results:  # the old path's results of an earlier run (its table and timings) instead of a new run
            old_dir = Path(args.old_results)
            (data / "sweep-old.pkl").write_bytes((old_dir / "sweep-old.pkl").read_bytes())
        print(f"corpus: {args.corpus}, years {args.years}: {info['documents']} speeches, {info['paragraphs']:,} "
              f"paragraphs; {info['units']:,} units used"
              + (f" (a random subset, seed 0: --units {args.units})" if info["units"] < info["paragraphs"] else ""))
        print(f"grid: method={args.method}, K={args.ks}, seeds={args.seeds}, sample_fraction={args.sample_fraction}, "
              f"measures={args.measures}; new path: n_jobs={args.jobs}, coherence_sample={args.coherence_sample}, "
              f"early_stop={args.early_stop}, nmf_dtype={args.nmf_dtype or 'float32 (the default)'}\n")
        cases = ["old", "new"] if not (args.no_old or args.old_results) else ["new"]
        results = {case: _run_child("sweep", case, data, args) for case in cases}
        if args.old_results:
            results = {"old": json.loads((Path(args.old_results) / "old.json").read_text()), **results}
            print(f"(old path: results of an earlier run read from {args.old_results}, not timed now)")
        if args.keep:
            Path(args.keep).mkdir(parents=True, exist_ok=True)
            for case in results:
                if (data / f"sweep-{case}.pkl").exists():
                    (Path(args.keep) / f"sweep-{case}.pkl").write_bytes((data / f"sweep-{case}.pkl").read_bytes())
                (Path(args.keep) / f"{case}.json").write_text(json.dumps(results[case]))
        print(f"{'path':6} {'wall s':>9} {'CPU s':>9} {'selected K':>11}  Ks not fitted")
        for case, res in results.items():
            print(f"{case:6} {res['wall_s']:9.1f} {res['cpu_s']:9.1f} {res['selected_k']:11d}  {res['ks_skipped']}")
        if "old" not in results:
            return
        old, new = results["old"], results["new"]
        print(f"\nspeed-up: wall {old['wall_s'] / new['wall_s']:.1f}x, CPU {old['cpu_s'] / new['cpu_s']:.1f}x; "
              f"same selected K: {'yes' if old['selected_k'] == new['selected_k'] else 'NO'}")
        t_old = pd.read_pickle(data / "sweep-old.pkl")
        t_new = pd.read_pickle(data / "sweep-new.pkl")
        common = t_old.merge(t_new, on=["k", "seed"], suffixes=("_old", "_new"))
        for column in ("exclusivity", "stability", "n_units"):
            diff = float(np.max(np.abs(common[f"{column}_old"] - common[f"{column}_new"])))
            print(f"fits compared: max |{column} old - new| over the {len(common)} common runs = {diff:.3g}")
        # the coherence sample: rank the Ks of the old (all paragraphs) and new (sample) tables alike
        by_k = common.groupby("k")[["coherence_old", "coherence_new"]].mean()
        rho = spearmanr(by_k["coherence_old"], by_k["coherence_new"]).statistic if len(by_k) > 2 else float("nan")
        crit_old = k_criterion(t_old[t_old["k"].isin(by_k.index)]).set_index("k")["criterion"]
        crit_new = k_criterion(t_new).set_index("k")["criterion"]
        print(f"coherence sample check over Ks {by_k.index.tolist()}: Spearman rho of mean coherence, all "
              f"paragraphs vs sample = {rho:.3f}; best K by coherence {by_k['coherence_old'].idxmax()} (all) vs "
              f"{by_k['coherence_new'].idxmax()} (sample); by the selection criterion {crit_old.idxmax()} (all) vs "
              f"{crit_new.idxmax()} (sample); max |difference| of a run's coherence "
              f"{float(np.max(np.abs(common['coherence_old'] - common['coherence_new']))):.4f}")
        rank_old = crit_old.sort_values(ascending=False, kind="stable").index.tolist()
        rank_new = crit_new[crit_new.index.isin(crit_old.index)].sort_values(ascending=False, kind="stable")
        rank_new = rank_new.index.tolist()
        print(f"Ks both paths fitted, best first by the selection criterion: old {rank_old}, new {rank_new} "
              f"({'the same ranking' if rank_old == rank_new else 'a DIFFERENT ranking'})")
        print("\nper K, mean over seeds (old: all paragraphs; new: sample)")
        summary = pd.DataFrame({"coherence_old": by_k["coherence_old"], "coherence_new": by_k["coherence_new"],
                                "criterion_old": crit_old, "criterion_new": crit_new})
        full = k_criterion(t_old).set_index("k")["criterion"].rename("criterion_old")
        summary = summary.combine_first(full.to_frame())
        print(summary.round(4).to_string())


# ---------------------------------------------------------------------- part 2: LDA backends
LDA_BACKENDS = ["gensim", "sklearn", "tomotopy"]


def lda_prepare(args, data: Path) -> dict:
    from sco_discourse.topics import Preprocessor

    units = pd.read_pickle(data / "units.pkl")
    t0 = time.perf_counter()
    pre = Preprocessor()
    counts = pre.fit_transform(units["text"])
    keep = np.asarray(counts.sum(axis=1)).ravel() > 0
    texts = pre.transform_tokens(units["text"])
    texts = [t for t, k in zip(texts, keep) if k]
    with open(data / "counts.pkl", "wb") as fh:
        pickle.dump({"counts": counts[keep], "vocabulary": list(pre.vocabulary_), "texts": texts, "pre": pre}, fh)
    return {"units": int(keep.sum()), "terms": len(pre.vocabulary_), "tokens": int(counts.sum()),
            "seconds": time.perf_counter() - t0}


def lda_child(case: str, data: Path, args) -> dict:
    backend, run = case.split(":")
    with open(data / "counts.pkl", "rb") as fh:
        prepared = pickle.load(fh)
    counts = prepared["counts"]
    import gensim  # noqa: F401
    import sklearn.decomposition  # noqa: F401
    from sklearn.frozen import FrozenEstimator

    from sco_discourse.topics import TopicModel

    cpu0, t0 = _cpu_s(), time.perf_counter()
    if backend == "sklearn":
        from sklearn.decomposition import LatentDirichletAllocation

        model = LatentDirichletAllocation(n_components=args.k, learning_method="batch", max_iter=args.sklearn_iter,
                                          random_state=args.seed).fit(counts)
        topics = model.components_ / model.components_.sum(axis=1, keepdims=True)
    else:
        pre = prepared["pre"]  # fitted; the counts are given, so the texts are not analysed again
        units = pd.DataFrame({"unit_id": [f"u{i}" for i in range(counts.shape[0])], "text": ""})
        options = {"gibbs_iterations": args.gibbs_iterations} if backend == "tomotopy" else {}
        model = TopicModel(args.k, method="lda" if backend == "gensim" else backend, random_state=args.seed,
                           preprocessor=FrozenEstimator(pre), **options).fit(units, counts=counts)
        topics = model.components_
    wall, cpu = time.perf_counter() - t0, _cpu_s() - cpu0
    np.save(data / f"{backend}-{run}.npy", topics)
    return {"backend": backend, "run": run, "wall_s": wall, "cpu_s": cpu}


def lda_main(args) -> None:
    from sco_discourse.topics.selection import CoherenceReference, topic_similarity

    with tempfile.TemporaryDirectory() as tmp:
        data = Path(tmp)
        info = prepare_units(args, data)
        prep = lda_prepare(args, data)
        print(f"corpus: {args.corpus}, years {args.years}: {info['paragraphs']:,} paragraphs; "
              f"{prep['units']:,} units with terms used"
              + (f" (a random subset, seed 0: --units {args.units})" if info["units"] < info["paragraphs"] else "")
              + f", {prep['terms']:,} terms, {prep['tokens']:,} tokens")
        print(f"K={args.k}, seed={args.seed}; gensim LdaModel: passes=10, iterations=100 (package defaults); "
              f"sklearn: batch, max_iter={args.sklearn_iter}; tomotopy: {args.gibbs_iterations} Gibbs sweeps, "
              "one thread\n")
        results = {}
        for run in ("1", "2"):
            for backend in args.backends:
                results[backend, run] = _run_child("lda", f"{backend}:{run}", data, args)
        with open(data / "counts.pkl", "rb") as fh:
            prepared = pickle.load(fh)
        vocabulary = np.asarray(prepared["vocabulary"], dtype=object)
        reference = CoherenceReference(prepared["texts"], sample=args.coherence_sample, random_state=0)
        tops = {}
        rows = []
        for backend in args.backends:
            first = np.load(data / f"{backend}-1.npy")
            second = np.load(data / f"{backend}-2.npy")
            order = np.argsort(-first, axis=1, kind="stable")[:, :10]
            tops[backend] = [list(vocabulary[row]) for row in order]
            row = {"backend": backend,
                   "fit CPU s": min(results[backend, r]["cpu_s"] for r in ("1", "2")),
                   "fit wall s": min(results[backend, r]["wall_s"] for r in ("1", "2")),
                   "identical rerun": bool(np.array_equal(first, second))}
            for measure in ("c_v", "c_npmi", "u_mass"):
                row[measure] = float(np.mean(reference.score(tops[backend], measure=measure, n=10)))
            rows.append(row)
        table = pd.DataFrame(rows)
        print(f"fastest of 2 fresh processes per backend (same seed); coherence of the top-10 terms counted in "
              f"{len(reference.sample_index):,} paragraphs (seed 0)")
        print(table.round(3).to_string(index=False))
        print("\ntop-10 overlap between backends (mean matched Jaccard similarity of the topics' top-10 sets)")
        for i, a in enumerate(args.backends):
            for b in args.backends[i + 1:]:
                print(f"  {a} vs {b}: {topic_similarity(tops[a], tops[b]).mean():.3f}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("part", choices=["sweep", "lda"])
    parser.add_argument("--corpus", default=DEFAULT_CORPUS, help="a corpus load_corpus reads (default: UNGDC)")
    parser.add_argument("--years", default="2013..2024", help="years of the speeches (default 2013..2024)")
    parser.add_argument("--units", type=int, default=0, help="use a random subset of N paragraphs (0: all)")
    parser.add_argument("--ks", type=int, nargs="+", default=[5, 10, 15, 20, 25, 30])
    parser.add_argument("--seeds", type=int, default=3)
    parser.add_argument("--method", default="nmf")
    parser.add_argument("--sample-fraction", type=float, default=0.8)
    parser.add_argument("--heldout", type=float, default=0.1)
    parser.add_argument("--measures", nargs="+", default=["c_v"])
    parser.add_argument("--jobs", type=int, default=2, help="worker processes of the new sweep (default 2)")
    parser.add_argument("--coherence-sample", type=int, default=0,
                        help="new sweep: count coherence in N sampled units (0: all, the default of sweep)")
    parser.add_argument("--early-stop", type=int, default=2, help="patience of early stopping (0: off)")
    parser.add_argument("--nmf-dtype", choices=["float32", "float64"], default=None,
                        help="new sweep: NMF precision (default: the sweep's, float32)")
    parser.add_argument("--no-old", action="store_true", help="run the new sweep only")
    parser.add_argument("--keep", metavar="DIR", help="keep each path's table and timings in DIR")
    parser.add_argument("--old-results", metavar="DIR", help="compare with the old path's results kept with --keep")
    parser.add_argument("--k", type=int, default=20, help="lda: number of topics")
    parser.add_argument("--seed", type=int, default=0, help="lda: seed")
    parser.add_argument("--backends", nargs="+", default=LDA_BACKENDS, choices=LDA_BACKENDS)
    parser.add_argument("--gibbs-iterations", type=int, default=300)
    parser.add_argument("--sklearn-iter", type=int, default=10)
    parser.add_argument("--child", help=argparse.SUPPRESS)
    parser.add_argument("--data", help=argparse.SUPPRESS)
    args = parser.parse_args()
    # the children get the same options
    args.passthrough = [a for a in sys.argv[2:]]
    if args.child:
        child = sweep_child if args.part == "sweep" else lda_child
        print(json.dumps(child(args.child, Path(args.data), args)))
        return
    (sweep_main if args.part == "sweep" else lda_main)(args)


if __name__ == "__main__":
    main()
