"""The app plus probe pages, to watch nginx (its micro-cache, its choice of worker) from outside.

`/_probe/public` is marked `public, max-age=60` like a page the app lets shared caches
keep; `/_probe/private` is `private, no-cache`; `/_probe/slow` is public and takes
SLOW_SECONDS, like a page rendered while people post; `/_probe/busy` keeps its whole worker
busy for BUSY_SECONDS (it holds the worker's GIL, as a long render would). Each answers its
worker's pid and a fresh counter (nginx gives each request to either worker), so a
repeated body means nginx served it from its cache.
"""

from __future__ import annotations

import ctypes
import itertools
import os
import time

from flask import make_response

from app import create_app

app = create_app()
_counter = itertools.count()
SLOW_SECONDS = 3
BUSY_SECONDS = 3


def _render() -> str:
    return f"render {os.getpid()}.{next(_counter)}"


@app.get("/_probe/public")
def probe_public():
    response = make_response(_render())
    response.headers["Cache-Control"] = "public, max-age=60"
    return response


@app.get("/_probe/private")
def probe_private():
    response = make_response(_render())
    response.headers["Cache-Control"] = "private, no-cache"
    return response


@app.get("/_probe/slow")
def probe_slow():
    time.sleep(SLOW_SECONDS)
    response = make_response(_render())
    response.headers["Cache-Control"] = "public, max-age=60"
    return response


@app.get("/_probe/busy")
def probe_busy():
    # libc's usleep called through PyDLL keeps the GIL: no other thread of this worker runs.
    ctypes.PyDLL(None).usleep(BUSY_SECONDS * 1_000_000)
    response = make_response(_render())
    response.headers["Cache-Control"] = "private, no-cache"
    return response
