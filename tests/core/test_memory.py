"""AnonPeak sees memory the work allocates and gives back before the block ends."""

from __future__ import annotations

import time

import numpy as np
import pytest

from seqstudio.core.memory import AnonPeak, rss_anon_mb

pytestmark = pytest.mark.skipif(rss_anon_mb() is None, reason="no /proc/self/status RssAnon here")


def test_a_freed_allocation_still_counts_in_the_peak():
    before = rss_anon_mb()
    with AnonPeak(interval=0.005) as peak:
        block = np.ones(80 * 2**20 // 8)  # 80 MB, every page touched
        time.sleep(0.05)
        del block
        time.sleep(0.02)
    after = rss_anon_mb()
    assert peak.peak_mb >= before + 70
    assert after < peak.peak_mb - 60  # it was given back, and the peak remembers it
