"""``finmesh serve --workers N``: worker processes forked from a parent that has already
imported the application, all accepting on one listening socket.

uvicorn's own supervisor starts each worker with ``spawn``: a fresh interpreter that
imports FastAPI, lxml, the schemas and the node again (about 0.8 s of CPU each), so a
restart with two workers on a busy two-core machine took 2.5-5 s before a request was
served. Forked workers share the parent's imports (copy on write) and answer within
milliseconds of the fork; only the parent pays the imports, once. Each child builds
its own Node (database connections, bells, metrics files) after the fork, in the app
factory, so nothing that holds a file or a connection crosses the fork.

The parent only supervises: a worker that dies is replaced; SIGTERM or SIGINT is passed
to every worker, which finishes what is in flight (at most ``SHUTDOWN_SECONDS``) and
exits; workers still there after ``STOP_GRACE_SECONDS`` are killed.
"""

from __future__ import annotations

import contextlib
import logging
import os
import signal
import sys
import time
from typing import Any

import uvicorn

log = logging.getLogger("finmesh.api")

STOP_GRACE_SECONDS = 10.0
RESPAWN_PAUSE_SECONDS = 0.5
"""Pause before replacing a worker that died, so a crash at startup does not spin."""
APP = "finmesh.api.app:app_from_env"


class _Stop(Exception):
    """A signal asked the parent to stop."""


def serve_forked(workers: int, options: dict[str, Any]) -> None:
    """Run ``workers`` forked uvicorn servers of the app on one socket until signalled."""
    import finmesh.api.app  # noqa: F401  preloaded: the children fork with it imported

    config = uvicorn.Config(APP, factory=True, **options)
    sock = config.bind_socket()
    children: dict[int, float] = {}

    def stop(signum: int, frame: object) -> None:
        raise _Stop(signum)

    signal.signal(signal.SIGTERM, stop)
    signal.signal(signal.SIGINT, stop)
    try:
        for _ in range(workers):
            children[_fork(config, sock)] = time.monotonic()
        log.info("workers started", extra={"event": "node.started", "workers": workers})
        while True:
            pid, status = os.wait()
            if pid in children:
                del children[pid]
                log.warning(
                    "worker %s exited (status %s); replacing it",
                    pid,
                    status,
                    extra={"event": "node.worker_exited", "pid": pid},
                )
                time.sleep(RESPAWN_PAUSE_SECONDS)
                children[_fork(config, sock)] = time.monotonic()
    except (_Stop, KeyboardInterrupt):
        _stop_children(children)
    except ChildProcessError:  # every worker gone
        pass
    finally:
        sock.close()


def _fork(config: uvicorn.Config, sock: Any) -> int:
    pid = os.fork()
    if pid:
        return pid
    code = 0
    try:  # the child: the parent's handlers must not run here
        signal.signal(signal.SIGTERM, signal.SIG_DFL)
        signal.signal(signal.SIGINT, signal.SIG_DFL)
        _die_with_parent()
        uvicorn.Server(config).run(sockets=[sock])
    except BaseException:
        log.exception("worker failed", extra={"event": "node.worker_failed"})
        code = 1
    finally:
        sys.stdout.flush()
        sys.stderr.flush()
        os._exit(code)


def _die_with_parent() -> None:
    if sys.platform.startswith("linux"):
        import ctypes

        with contextlib.suppress(OSError, AttributeError):
            ctypes.CDLL(None).prctl(1, signal.SIGTERM)  # PR_SET_PDEATHSIG


def _stop_children(children: dict[int, float]) -> None:
    for pid in children:
        with contextlib.suppress(ProcessLookupError):
            os.kill(pid, signal.SIGTERM)
    deadline = time.monotonic() + STOP_GRACE_SECONDS
    while children and time.monotonic() < deadline:
        with contextlib.suppress(ChildProcessError):
            pid, _ = os.waitpid(-1, os.WNOHANG)
            if pid:
                children.pop(pid, None)
                continue
        time.sleep(0.02)
    for pid in children:
        with contextlib.suppress(ProcessLookupError):
            os.kill(pid, signal.SIGKILL)
