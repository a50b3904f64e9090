"""Where extraction work runs: in this process, in a local process pool, or on a Dask cluster.

Every engine takes tasks (lists of items) and a module-level function `work(task, *args)`
returning one (result, error) per item, and yields (item, result, error) in input order. Only
a few tasks are in flight at a time, so memory holds a few tasks, not the corpus.
"""
from __future__ import annotations

import itertools
import time
from collections import deque
from collections.abc import Callable, Iterable, Iterator

from .errors import CasualtiesError

ENGINES = ("local", "dask")
DASK_EXTRA = "pip install 'casualties[dask]'"
TASKS_PER_THREAD = 2  # tasks in flight per worker thread: one running, one waiting
SLOTS_REFRESH_SECONDS = 5.0  # how often to ask a cluster how many threads it has now


def check_engine(engine: str, scheduler: str | None = None) -> None:
    """Fail early, before any work, on an unknown engine, an address for the local engine, or
    the dask engine without dask installed."""
    if engine not in ENGINES:
        raise CasualtiesError(f"unknown engine {engine!r}: choose one of {', '.join(ENGINES)}")
    if scheduler and engine != "dask":
        raise CasualtiesError("a scheduler address is for the dask engine (--engine dask)")
    if engine == "dask":
        _dask_distributed()


def run_tasks(tasks: Iterable[list], work: Callable, args: tuple = (), *, engine: str = "local", jobs: int = 1,
              scheduler: str | None = None, warm: Callable[[list[list]], None] | None = None,
              worker_check: Callable[[], str] | None = None,
              started: Callable[[], None] | None = None) -> Iterator[tuple]:
    """(item, result, error) for every item of `tasks`, in input order.

    local: with jobs > 1 and more than one task, a pool of `jobs` processes (`warm(first
    tasks)` runs here first, so forked workers inherit its caches; `started()` once they are
    forked, so a thread it starts is not copied into them); otherwise this process. dask: the cluster at
    `scheduler`, or without one a LocalCluster of `jobs` single-threaded worker processes,
    closed at the end; `worker_check()` must give the same answer on every worker as here (the
    same rules on every machine). On dask, a task that fails as a whole (an exception, a lost
    worker) costs only its own items: each gets the error, and the run goes on.
    """
    check_engine(engine, scheduler)
    if engine == "dask":
        return _dask(iter(tasks), work, args, jobs=jobs, scheduler=scheduler, worker_check=worker_check)
    return _local(iter(tasks), work, args, jobs=jobs, warm=warm, started=started)


def _local(tasks: Iterator[list], work: Callable, args: tuple, *, jobs: int, warm, started=None) -> Iterator[tuple]:
    from concurrent.futures import ProcessPoolExecutor

    head = list(itertools.islice(tasks, 2))
    if jobs <= 1 or len(head) < 2:
        # Work that fits in one task stays here: starting workers would cost more than it saves.
        for task in itertools.chain(head, tasks):
            yield from _paired(task, work(task, *args))
        return
    if warm:
        warm(head)
    with ProcessPoolExecutor(max_workers=jobs) as pool:
        pending = deque()
        for task in itertools.chain(head, tasks):
            pending.append((task, pool.submit(work, task, *args)))
            if started and len(pending) == 1:
                started()  # the first task forked every worker (the fork start method starts them all at once)
            if len(pending) >= TASKS_PER_THREAD * jobs:
                task, future = pending.popleft()
                yield from _paired(task, future.result())
        while pending:
            task, future = pending.popleft()
            yield from _paired(task, future.result())


def _dask(tasks: Iterator[list], work: Callable, args: tuple, *, jobs: int, scheduler: str | None,
          worker_check) -> Iterator[tuple]:
    distributed = _dask_distributed()
    first = next(tasks, None)
    if first is None:
        return  # nothing to extract (a rerun with nothing changed): no cluster to start or reach
    with _dask_client(distributed, scheduler, jobs) as client:
        if worker_check:
            _check_workers(client, worker_check, scheduler)
        slots = _Slots(client)
        pending = deque()
        for task in itertools.chain([first], tasks):
            pending.append((task, client.submit(work, task, *args, pure=False)))
            while len(pending) >= slots.count():
                yield from _collected(*pending.popleft())
        while pending:
            yield from _collected(*pending.popleft())


def _collected(task: list, future) -> Iterator[tuple]:
    try:
        results = future.result()
    except Exception as error:  # a lost worker or a failed task costs its own items only
        reason = f"extraction task failed on the Dask cluster: {type(error).__name__}: {error}"
        results = [(None, reason)] * len(task)
    finally:
        future.release()  # let the cluster forget the result now, not when the run ends
    yield from _paired(task, results)


class _Slots:
    """How many tasks to keep in flight: a few per worker thread the cluster has now."""

    def __init__(self, client):
        self.client, self.checked, self.slots = client, 0.0, TASKS_PER_THREAD

    def count(self) -> int:
        now = time.monotonic()
        if now - self.checked >= SLOTS_REFRESH_SECONDS:
            threads = sum(self.client.nthreads().values())
            self.slots, self.checked = max(TASKS_PER_THREAD, TASKS_PER_THREAD * threads), now
        return self.slots


def _dask_distributed():
    try:
        import distributed
    except ImportError:
        raise CasualtiesError(f"the dask engine needs dask.distributed: {DASK_EXTRA}") from None
    return distributed


class _dask_client:
    """A client of the cluster at `scheduler`, or of a LocalCluster made (and closed) here."""

    def __init__(self, distributed, scheduler: str | None, jobs: int):
        self.distributed, self.scheduler, self.jobs = distributed, scheduler, jobs
        self.cluster = None

    def __enter__(self):
        if self.scheduler:
            try:
                self.client = self.distributed.Client(self.scheduler)
            except (OSError, TimeoutError) as error:
                raise CasualtiesError(f"cannot reach the Dask scheduler at {self.scheduler}: {error}") from None
            return self.client
        self.cluster = self.distributed.LocalCluster(n_workers=max(self.jobs, 1), threads_per_worker=1,
                                                     processes=True, dashboard_address=":0")
        self.client = self.distributed.Client(self.cluster)
        return self.client

    def __exit__(self, *exc):
        self.client.close()
        if self.cluster is not None:
            self.cluster.close()


def _check_workers(client, worker_check: Callable[[], str], scheduler: str | None) -> None:
    here = worker_check()
    where = f"at {scheduler}" if scheduler else "of the local cluster"
    try:
        answers = client.run(worker_check)
    except Exception as error:
        raise CasualtiesError(f"the Dask workers {where} cannot run casualties ({type(error).__name__}: {error}):"
                              f" every worker needs the same version installed ({DASK_EXTRA})") from None
    differing = sorted(worker for worker, answer in answers.items() if answer != here)
    if differing:
        raise CasualtiesError(f"Dask workers {', '.join(differing)} run {answers[differing[0]]}, this process runs"
                              f" {here}: install the same casualties version on every worker ({DASK_EXTRA})")


def _paired(task: list, results) -> Iterator[tuple]:
    for item, (result, error) in zip(task, results):
        yield item, result, error
