#!/usr/bin/python3
"""Times scipy.stats.ks_2samp on the benchmark file (only the call itself)."""
import sys
import time

import numpy as np
import scipy
from scipy import stats

data = np.fromfile(sys.argv[1], dtype="<f8")
runs = int(sys.argv[2]) if len(sys.argv) > 2 else 5
half = data.size // 2
ref, cur = data[:half], data[half:]
stats.ks_2samp(ref[:1000], cur[:1000])  # import / first-call warm-up
times = []
for _ in range(runs):
    t0 = time.perf_counter()
    result = stats.ks_2samp(ref, cur)
    times.append(time.perf_counter() - t0)
times.sort()
print(f"scipy {scipy.__version__} ks_2samp: D={result.statistic:.6g} p={result.pvalue:.6g}")
print(f"SCIPY_MEDIAN_MS {times[len(times) // 2] * 1000:.1f}")
print("scipy runs (ms): " + " ".join(f"{t * 1000:.1f}" for t in times))
