"""Latency summaries for the benchmarks: p50/p95/p99/mean of millisecond samples."""

from __future__ import annotations

import statistics


def summarize(samples: list[float]) -> dict:
    samples = sorted(samples)
    return {
        "n": len(samples),
        "p50_ms": round(statistics.median(samples), 2),
        "p95_ms": round(samples[int(0.95 * (len(samples) - 1))], 2),
        "p99_ms": round(samples[int(0.99 * (len(samples) - 1))], 2),
        "mean_ms": round(statistics.fmean(samples), 2),
    }
