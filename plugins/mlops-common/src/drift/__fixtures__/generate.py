#!/usr/bin/python3
"""Regenerates scipy-cases.json, the reference values the drift tests compare with.

Run by hand (not at test time) with the Debian SciPy:

    apt-get install -y python3-scipy python3-statsmodels
    /usr/bin/python3 plugins/mlops-common/src/drift/__fixtures__/generate.py

Inputs are stored compactly: small samples verbatim, large ones as a recipe
for a deterministic generator that `fixtures.ts` reimplements exactly. The
generator only uses integer xorshift32 and correctly rounded + - * / so both
languages produce bit-identical doubles (no libm log/cos whose last bit could
differ between platforms).
"""

import json
import math
import os
import subprocess
import sys

import numpy as np
import scipy
from scipy import special, stats
from scipy.spatial.distance import jensenshannon

try:
    from statsmodels.stats.proportion import proportions_ztest
except ImportError:  # pragma: no cover - optional cross-check
    proportions_ztest = None

HERE = os.path.dirname(os.path.abspath(__file__))
OUT = os.path.join(HERE, "scipy-cases.json")
MASK = 0xFFFFFFFF


# ---------------------------------------------------------------- generator
def xorshift32(seed):
    s = seed & MASK or 0x9E3779B9
    while True:
        s ^= (s << 13) & MASK
        s ^= s >> 17
        s ^= (s << 5) & MASK
        yield s


def generate(spec):
    """Mirror of generateSample() in fixtures.ts."""
    n = spec["n"]
    kind = spec["kind"]
    loc = float(spec.get("loc", 0.0))
    scale = float(spec.get("scale", 1.0))
    grid = spec.get("grid")  # round down to multiples of 1/grid (ties)
    rng = xorshift32(spec["seed"])
    out = np.empty(n, dtype=np.float64)
    for i in range(n):
        if kind == "normal":
            # Irwin-Hall(12) - 6: sums of k/2^32 are exact in float64.
            acc = 0.0
            for _ in range(12):
                acc += (next(rng) + 0.5) / 4294967296.0
            x = acc - 6.0
        elif kind == "uniform":
            x = (next(rng) + 0.5) / 4294967296.0
        elif kind == "pareto":
            x = 1.0 / ((next(rng) + 0.5) / 4294967296.0)
        elif kind == "int":
            x = float(next(rng) % spec["mod"])
        else:
            raise ValueError(kind)
        x = x * scale + loc
        if grid is not None:
            x = math.floor(x * grid) / grid
        out[i] = x
    return out


def sample(spec):
    if isinstance(spec, list):
        return np.asarray(spec, dtype=np.float64)
    return generate(spec)


def labels_from_counts(counts):
    out = []
    for label, c in counts:
        out.extend([label] * c)
    return out


def f(x):
    """JSON-safe float (json has no inf/nan; tests never need them)."""
    x = float(x)
    assert math.isfinite(x), x
    return x


# --------------------------------------------------------------------- KS
def ks_cases():
    cases = []

    def add(name, ref, cur):
        a, b = sample(ref), sample(cur)
        r = stats.ks_2samp(a, b, alternative="two-sided", method="auto")
        cases.append(
            {"name": name, "reference": ref, "current": cur,
             "statistic": f(r.statistic), "pValue": f(r.pvalue)}
        )

    add("small", [1, 2, 3, 4, 5], [3, 4, 5, 6, 7, 8])
    add("ties", [1, 1, 2, 2, 2, 3, 5, 5], [2, 2, 3, 3, 3, 4, 5, 6, 6])
    add("identical", [0.5, 1.5, 2.5, 2.5, 9.0], [0.5, 1.5, 2.5, 2.5, 9.0])
    add("disjoint", [1, 2, 3, 4], [10, 11, 12, 13, 14])
    add("n1_vs_n1", [1.0], [2.0])
    add("n1_vs_n1_equal", [3.0], [3.0])
    add("n1_vs_n2", [0.0], [1.0, 2.0])
    add("n2_vs_n3", [5.0, 1.0], [2.0, 3.0, 7.0])
    add("n3_vs_n3", [1.0, 2.0, 3.0], [1.5, 2.5, 3.5])
    add("huge_values", [1e300, -1e300, 5e299, 1.7e308, -3.0],
        [2e300, -1e299, 1e300, 0.0, -1.7e308, 7e300])
    add("negative", [-5.5, -3.25, -1.0, -0.5, -100.0, -7.0],
        [-4.0, -3.25, -2.0, -0.25, -50.0])
    add("neg_zero_ties", [-0.0, 0.0, 1.0], [0.0, -0.0, 2.0])
    add("normal_50_60_shift", {"kind": "normal", "n": 50, "seed": 1},
        {"kind": "normal", "n": 60, "seed": 2, "loc": 0.8})
    add("normal_200_equal", {"kind": "normal", "n": 200, "seed": 3},
        {"kind": "normal", "n": 200, "seed": 4, "loc": 0.3})
    add("normal_1000_777", {"kind": "normal", "n": 1000, "seed": 5},
        {"kind": "normal", "n": 777, "seed": 6, "scale": 1.1})
    add("grid_ties_500_400", {"kind": "normal", "n": 500, "seed": 7, "grid": 4},
        {"kind": "normal", "n": 400, "seed": 8, "grid": 4, "loc": 0.25})
    add("exact_tiny_p_equal", {"kind": "normal", "n": 3000, "seed": 9},
        {"kind": "normal", "n": 3000, "seed": 10, "loc": 1.5})
    add("exact_small_p_equal", {"kind": "normal", "n": 1000, "seed": 37},
        {"kind": "normal", "n": 1000, "seed": 38, "loc": 0.6})
    add("exact_tiny_p_unequal", {"kind": "normal", "n": 1200, "seed": 11},
        {"kind": "normal", "n": 900, "seed": 12, "loc": 1.2})
    add("boundary_10000_10000", {"kind": "normal", "n": 10000, "seed": 13},
        {"kind": "normal", "n": 10000, "seed": 14, "loc": 0.03})
    add("boundary_10000_9999", {"kind": "normal", "n": 10000, "seed": 15},
        {"kind": "normal", "n": 9999, "seed": 16, "loc": 0.04})
    add("boundary_10000_10001", {"kind": "normal", "n": 10000, "seed": 17},
        {"kind": "normal", "n": 10001, "seed": 18, "loc": 0.03})
    add("boundary_10001_10001_half_even", {"kind": "normal", "n": 10001, "seed": 19},
        {"kind": "normal", "n": 10001, "seed": 20, "loc": 0.02})
    add("boundary_100_10000", {"kind": "normal", "n": 100, "seed": 21},
        {"kind": "normal", "n": 10000, "seed": 22, "loc": 0.1})
    add("asymp_20000_15000", {"kind": "normal", "n": 20000, "seed": 23},
        {"kind": "normal", "n": 15000, "seed": 24, "loc": 0.05})
    add("asymp_tiny_p", {"kind": "normal", "n": 20000, "seed": 25},
        {"kind": "normal", "n": 12000, "seed": 26, "loc": 0.35})
    add("asymp_d_over_half", {"kind": "uniform", "n": 12000, "seed": 27},
        {"kind": "uniform", "n": 3000, "seed": 28, "loc": 0.55})
    add("asymp_d_over_half_small_n", {"kind": "uniform", "n": 10005, "seed": 39},
        {"kind": "uniform", "n": 101, "seed": 40, "loc": 0.5})
    add("asymp_small_minority", {"kind": "normal", "n": 30000, "seed": 29},
        {"kind": "normal", "n": 7, "seed": 30, "loc": 0.5})
    add("asymp_disjoint", {"kind": "uniform", "n": 10001, "seed": 31},
        {"kind": "uniform", "n": 500, "seed": 32, "loc": 5})
    add("pareto_heavy_tail", {"kind": "pareto", "n": 3000, "seed": 33},
        {"kind": "pareto", "n": 2500, "seed": 34, "scale": 1.05})
    add("int_ties_asymp", {"kind": "int", "n": 15000, "seed": 35, "mod": 20},
        {"kind": "int", "n": 11000, "seed": 36, "mod": 21})
    return cases


def kstwo_cases():
    ns = [1, 2, 3, 5, 10, 37, 100, 140, 141, 500, 1000, 5000, 10000,
          100000, 100001, 500000, 1000000, 2000000]
    cs = [0.3, 0.5, 0.7, 0.8, 0.9, 1.0, 1.1, 1.3, 1.6, 2.0, 2.5, 3.0, 4.0, 6.0]
    out = []
    seen = set()
    for n in ns:
        ds = [c / math.sqrt(n) for c in cs]
        ds += [0.4 / n, 0.7 / n, 1.0 / n, 1.5 / n, 0.45, 0.5, 0.6, 0.75, 0.95,
               1 - 0.5 / n, 0.01, 0.05, 0.2]
        for d in ds:
            if not (0 < d < 1) or (n, d) in seen:
                continue
            seen.add((n, d))
            out.append([n, d, f(stats.kstwo.sf(d, n))])
    return out


# ------------------------------------------------------- categorical tests
def chisquare_cases():
    cases = []

    def add(name, ref_counts, cur_counts):
        ref = labels_from_counts(ref_counts)
        cur = labels_from_counts(cur_counts)
        cats = []
        for lab in ref + cur:
            if lab not in cats:
                cats.append(lab)
        table = np.array([[ref.count(c) for c in cats], [cur.count(c) for c in cats]])
        table = table[:, table.sum(axis=0) > 0]
        if table.shape[1] == 1:
            stat, p, dof = 0.0, 1.0, 0
        else:
            stat, p, dof, _ = stats.chi2_contingency(table, correction=False)
        cases.append({"name": name, "reference": ref_counts, "current": cur_counts,
                      "statistic": f(stat), "pValue": f(p), "dof": int(dof)})

    add("three_categories", [["a", 20], ["b", 15], ["c", 5]], [["a", 18], ["b", 10], ["c", 14]])
    add("two_categories", [["x", 40], ["y", 60]], [["x", 55], ["y", 45]])
    add("new_category_in_current", [["a", 30], ["b", 30]], [["a", 20], ["b", 25], ["new", 9]])
    add("category_gone_in_current", [["a", 30], ["b", 30], ["c", 3]], [["a", 20], ["b", 25]])
    add("single_category", [["only", 10]], [["only", 7]])
    add("identical", [["a", 5], ["b", 7], ["c", 9]], [["a", 5], ["b", 7], ["c", 9]])
    add("tiny_counts", [["a", 1]], [["b", 1]])
    add("many_categories", [[f"c{i}", 5 + (i * 7) % 13] for i in range(40)],
        [[f"c{i}", 3 + (i * 11) % 17] for i in range(40)])
    add("tiny_p_1e-300", [["a", 3000], ["b", 3000]], [["a", 800], ["b", 5200]])
    add("p_1e-200", [["a", 3000], ["b", 3000]], [["a", 1700], ["b", 4300]])
    add("large_dof_small_p", [[f"k{i}", 100 + i] for i in range(300)],
        [[f"k{i}", 100 + (i * 37) % 91] for i in range(300)])
    return cases


def ztest_cases():
    cases = []

    def add(name, ref_counts, cur_counts):
        labels = sorted({lab for lab, _ in ref_counts + cur_counts})
        positive = labels[-1]
        c1 = sum(c for lab, c in ref_counts if lab == positive)
        c2 = sum(c for lab, c in cur_counts if lab == positive)
        n1 = sum(c for _, c in ref_counts)
        n2 = sum(c for _, c in cur_counts)
        if len(labels) == 1:
            z, p = 0.0, 1.0
        elif proportions_ztest is not None:
            z, p = proportions_ztest([c1, c2], [n1, n2])
        else:
            pp = (c1 + c2) / (n1 + n2)
            z = (c1 / n1 - c2 / n2) / math.sqrt(pp * (1 - pp) * (1 / n1 + 1 / n2))
            p = 2 * stats.norm.sf(abs(z))
        cases.append({"name": name, "reference": ref_counts, "current": cur_counts,
                      "statistic": f(z), "pValue": f(p)})

    add("yes_no", [["yes", 30], ["no", 70]], [["yes", 45], ["no", 55]])
    add("zero_one", [["0", 400], ["1", 100]], [["0", 380], ["1", 120]])
    add("true_false", [["true", 10], ["false", 12]], [["true", 3], ["false", 20]])
    add("small_z", [["a", 50], ["b", 50]], [["a", 49], ["b", 51]])
    add("tiny_p", [["a", 5000], ["b", 5000]], [["a", 2000], ["b", 8000]])
    add("p_1e-300", [["a", 10000], ["b", 10000]], [["a", 4060], ["b", 15940]])
    add("one_side_only_one_label", [["a", 10]], [["a", 5], ["b", 5]])
    add("disjoint_labels", [["a", 10]], [["b", 12]])
    add("single_label", [["z", 8]], [["z", 3]])
    add("tiny_samples", [["a", 1]], [["a", 1], ["b", 1]])
    return cases


def jensenshannon_cases():
    cases = []

    def add(name, ref_counts, cur_counts):
        cats = []
        for lab, _ in ref_counts + cur_counts:
            if lab not in cats:
                cats.append(lab)
        p = np.array([sum(c for l, c in ref_counts if l == k) for k in cats], dtype=float)
        q = np.array([sum(c for l, c in cur_counts if l == k) for k in cats], dtype=float)
        d = jensenshannon(p, q)
        if np.isnan(d):  # rounding below zero for identical inputs
            d = 0.0
        cases.append({"name": name, "reference": ref_counts, "current": cur_counts,
                      "distance": f(d)})

    add("three_categories", [["a", 20], ["b", 15], ["c", 5]], [["a", 18], ["b", 10], ["c", 14]])
    add("identical", [["a", 5], ["b", 7]], [["a", 10], ["b", 14]])
    add("disjoint", [["a", 5]], [["b", 3]])
    add("new_category", [["a", 50], ["b", 50]], [["a", 40], ["b", 40], ["c", 20]])
    add("single_category", [["a", 4]], [["a", 9]])
    add("many", [[f"c{i}", 1 + i % 9] for i in range(60)], [[f"c{i}", 1 + (i * 5) % 11] for i in range(60)])
    return cases


# ------------------------------------------------------ numeric distances
def psi_value(ref, cur):
    """Bins [e_(k-1), e_k) on distinct reference deciles (searchsorted 'right')."""
    qs = np.array([k / 10 for k in range(1, 10)])
    edges = np.unique(np.quantile(ref, qs))
    rb = np.bincount(np.searchsorted(edges, ref, side="right"), minlength=len(edges) + 1)
    cb = np.bincount(np.searchsorted(edges, cur, side="right"), minlength=len(edges) + 1)
    rp = rb / len(ref)
    cp = cb / len(cur)
    np.place(rp, rp == 0, 0.0001)
    np.place(cp, cp == 0, 0.0001)
    return float(np.sum((cp - rp) * np.log(cp / rp))), [float(e) for e in edges]


def scaled_std(x):
    """np.std(ddof=0) computed on scaled values so 1e300 inputs do not overflow."""
    s = np.max(np.abs(x))
    return 0.0 if s == 0 else float(np.std(x / s) * s)


def numeric_cases():
    psi_cases, w_cases = [], []
    inputs = [
        ("small", [1, 2, 3, 4, 5, 6, 7, 8, 9, 10], [2, 3, 4, 5, 6, 7, 8, 9, 10, 11]),
        ("ties_on_edges", [1, 1, 1, 2, 2, 3, 3, 3, 3, 4, 5, 5], [1, 2, 2, 2, 3, 5, 5, 5, 6]),
        ("constant_reference", [4.0] * 20, [4.0] * 10 + [5.0] * 3),
        ("identical", [0.1, 0.7, 0.3, 0.9, 0.5], [0.1, 0.7, 0.3, 0.9, 0.5]),
        ("single_values", [2.0], [3.5]),
        ("n2_n3", [1.0, 2.0], [0.0, 5.0, 6.0]),
        ("negative", [-1.5, -2.5, -10.0, -0.25, -3.0, -3.0], [-1.0, -20.0, -2.5, -4.0]),
        ("huge", [1e300, -1e300, 3e299, 5e300, -2e300], [2e300, 7e299, -1e300, 9e300]),
        ("normal_shift", {"kind": "normal", "n": 5000, "seed": 101},
         {"kind": "normal", "n": 4000, "seed": 102, "loc": 0.2}),
        ("normal_scale", {"kind": "normal", "n": 3000, "seed": 103},
         {"kind": "normal", "n": 3500, "seed": 104, "scale": 1.5}),
        ("grid_ties", {"kind": "normal", "n": 2000, "seed": 105, "grid": 2},
         {"kind": "normal", "n": 1500, "seed": 106, "grid": 2, "loc": 0.5}),
        ("empty_bins", {"kind": "uniform", "n": 1000, "seed": 107},
         {"kind": "uniform", "n": 800, "seed": 108, "scale": 0.3}),
        ("pareto", {"kind": "pareto", "n": 2000, "seed": 109},
         {"kind": "pareto", "n": 2000, "seed": 110, "scale": 2}),
    ]
    for name, ref_spec, cur_spec in inputs:
        ref, cur = sample(ref_spec), sample(cur_spec)
        value, edges = psi_value(ref, cur)
        psi_cases.append({"name": name, "reference": ref_spec, "current": cur_spec,
                          "psi": f(value), "edges": edges})
        w = stats.wasserstein_distance(ref, cur)
        normed = w / max(scaled_std(ref), 0.001)
        w_cases.append({"name": name, "reference": ref_spec, "current": cur_spec,
                        "wasserstein": f(w), "normed": f(normed)})
    return psi_cases, w_cases


# ------------------------------------------------------- special functions
def special_cases():
    gamma = []
    for a in [0.5, 1.0, 1.5, 2.5, 10.0, 49.5, 150.0, 1000.0]:
        for x in [1e-3, 0.1, 0.5, 1.0, 2.0, a * 0.5, a, a + 1.0, a * 1.5, a + 20.0,
                  2 * a + 50.0, 300.0, 700.0, 745.0]:
            q = special.gammaincc(a, x)
            if q > 0:
                gamma.append([a, x, f(q)])
    erfc = []
    for x in [-3.0, -0.5, 0.0, 1e-8, 0.1, 0.47, 0.5, 1.0, 1.2, 1.3, 2.0, 3.5, 5.0,
              10.0, 20.0, 26.0, 26.5, 27.0]:
        erfc.append([x, f(special.erfc(x))])
    return {"gammaincc": gamma, "erfc": erfc}


# ------------------------------------------------------------ detectDrift
def detect_drift_case():
    """One mixed dataset; expected test and values per feature."""
    small_ref = {"kind": "normal", "n": 800, "seed": 201}
    small_cur = {"kind": "normal", "n": 700, "seed": 202, "loc": 0.3}
    big_ref = {"kind": "normal", "n": 3000, "seed": 203}
    big_cur = {"kind": "normal", "n": 2500, "seed": 204, "loc": 0.05}
    a, b = sample(small_ref), sample(small_cur)
    c, d = sample(big_ref), sample(big_cur)
    ks = stats.ks_2samp(a, b)
    w = stats.wasserstein_distance(c, d) / max(np.std(c), 0.001)
    return {
        "small": {"reference": small_ref, "current": small_cur, "test": "ks",
                  "statistic": f(ks.statistic), "pValue": f(ks.pvalue)},
        "large": {"reference": big_ref, "current": big_cur, "test": "wasserstein",
                  "distance": f(w)},
    }


def main():
    psi_cases, w_cases = numeric_cases()
    data = {
        "meta": {
            "generator": "generate.py",
            "python": sys.version.split()[0],
            "numpy": np.__version__,
            "scipy": scipy.__version__,
            "statsmodels": None if proportions_ztest is None else __import__("statsmodels").__version__,
        },
        "ks": ks_cases(),
        "kstwo": kstwo_cases(),
        "chisquare": chisquare_cases(),
        "ztest": ztest_cases(),
        "jensenshannon": jensenshannon_cases(),
        "psi": psi_cases,
        "wasserstein": w_cases,
        "special": special_cases(),
        "detectDrift": detect_drift_case(),
    }
    with open(OUT, "w") as fh:
        json.dump(data, fh, indent=1, sort_keys=False)
        fh.write("\n")
    # Keep the committed file in the repo's Prettier style (best effort).
    root = os.path.abspath(os.path.join(HERE, "..", "..", "..", "..", ".."))
    try:
        subprocess.run(["npx", "prettier", "--write", OUT], cwd=root, check=True,
                       stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    except (OSError, subprocess.CalledProcessError):
        print("note: prettier not available, JSON left unformatted")
    print(f"wrote {OUT} ({os.path.getsize(OUT)} bytes)")


if __name__ == "__main__":
    main()
