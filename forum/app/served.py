"""The app as ``forum serve`` runs it: ``create_app``, then the process's garbage collector
set for a long-running server (uvicorn calls ``served_app`` in each worker).

A thousand-comment thread builds some 5,000 objects that live until its answer is sent. With
CPython's default threshold (a young collection every 700 objects more than were freed) that
is five young collections a request, each walking what the request holds so far, and every
few dozen requests a full collection that walks the whole app, some 200,000 objects that
live as long as the process: about a quarter of the whole thread's time (docs/performance.md).
The objects made while the app was built are frozen out of every collection (``gc.freeze``),
and the young generation may grow to ``YOUNG_THRESHOLD`` before it is walked. Memory freed by
reference counting (nearly all of it) is freed at once as before; only garbage in cycles
waits a little longer.
"""

from __future__ import annotations

import gc

from litestar import Litestar

from forum.app.factory import create_app

YOUNG_THRESHOLD = 20_000
"""Objects allocated (net) before a young collection; CPython's default is 700."""


def served_app() -> Litestar:
    """``create_app()`` from the environment, with the collector tuned for serving."""
    app = create_app()
    tune_collector()
    return app


def tune_collector() -> None:
    """Freeze what exists now (the app, its modules) out of collections; collect the young
    generation less often. The older generations' thresholds stay CPython's."""
    gc.collect()
    gc.freeze()
    _, middle, old = gc.get_threshold()
    gc.set_threshold(YOUNG_THRESHOLD, middle, old)
