#!/usr/bin/python3
"""Writes the KS benchmark input once: 1e6 reference + 1e6 current float64
values (seeded normal, current shifted by 0.01) as raw little-endian float64."""
import sys

import numpy as np

path = sys.argv[1]
rng = np.random.default_rng(20240601)
ref = rng.normal(0.0, 1.0, 1_000_000)
cur = rng.normal(0.01, 1.0, 1_000_000)
np.concatenate([ref, cur]).astype("<f8").tofile(path)
