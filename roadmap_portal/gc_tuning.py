"""Garbage collection tuned for serving pages (called by `wsgi.py` once the application is
loaded, and by `bench_dashboards` so that it measures what gunicorn runs).

A dashboard page allocates some 100,000 short-lived objects; with Python's default threshold
(a young collection every 700 allocations, a full one every 100 of those) full collections
walked the whole loaded application in the middle of requests: `bench_dashboards` measured
the municipal dashboard at p95 206 ms with the defaults, 162 ms tuned. What was loaded at
start (Django, the URL conf, the templates) is frozen out of the collector's sight, and young
collections come every 50,000 allocations. Memory is still freed by reference counting; only
cycles wait a little longer.
"""

import gc

YOUNG_THRESHOLD = 50_000


def tune_gc() -> None:
    gc.freeze()
    gc.set_threshold(YOUNG_THRESHOLD, 50, 100)
