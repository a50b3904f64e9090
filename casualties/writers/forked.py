"""Work done in a forked copy of this process, its result handed back as a future.

The reports of a rerun are made on two cores, but threads share one interpreter lock: the
figure table's CSV and its Figures sheet (half of the reports' work) made on a second thread
wait for it while the figures are reconciled. A forked child has the table already (its pages
are shared until written) and its own interpreter.
"""
from __future__ import annotations

import os
import pickle
import sys
import threading
from collections.abc import Callable
from concurrent.futures import Future


def can_fork() -> bool:
    """Whether this process may fork now: Linux (macOS's system libraries are not safe to use
    in a forked child: multiprocessing spawns there), and no Python thread but this one
    running (a lock another thread holds at the fork would stay held in the child)."""
    return sys.platform.startswith("linux") and hasattr(os, "fork") and threading.active_count() == 1


def forked(work: Callable, *args) -> Future:
    """`work(*args)` in a forked child; a future of its result, which must pickle (or of the
    error it raised, or of a RuntimeError if the child ended without a word). Call only when
    can_fork()."""
    read_end, write_end = os.pipe()
    pid = os.fork()
    if pid == 0:  # the child: do the work, send the outcome, and leave without running any cleanup of the parent's
        status = 1
        try:
            os.close(read_end)
            try:
                outcome = (True, work(*args))
            except BaseException as error:  # noqa: BLE001 - handed to the parent
                outcome = (False, error)
            try:
                data = pickle.dumps(outcome)
            except Exception as error:  # noqa: BLE001 - an error that does not pickle
                data = pickle.dumps((False, RuntimeError(f"{type(error).__name__}: {error}")))
            with os.fdopen(write_end, "wb") as pipe:
                pipe.write(data)
            status = 0
        finally:
            os._exit(status)
    os.close(write_end)
    future: Future = Future()

    def collect() -> None:
        with os.fdopen(read_end, "rb") as pipe:
            data = pipe.read()
        _, status = os.waitpid(pid, 0)
        try:
            done, value = pickle.loads(data)
        except Exception:  # noqa: BLE001 - nothing or a part came back
            done, value = False, RuntimeError(f"the forked child ended with status {status} and no result")
        if done:
            future.set_result(value)
        else:
            future.set_exception(value)

    threading.Thread(target=collect, name="forked-result", daemon=True).start()
    return future
