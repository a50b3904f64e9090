"""The dask engine extracts what the local engine does, in the same order, and a task that fails
on the cluster costs only its own articles.

One LocalCluster of two single-threaded worker processes serves every test here. It fails a
task at the first lost worker (allowed-failures 0) and gives a worker one task at a time
(worker-saturation 1.0), so that killing a worker costs exactly the task it was running.
"""
import json
import os
import re
import sys

import pytest

from casualties import api
from casualties.corpus import load_articles
from casualties.errors import CasualtiesError

from conftest import ROOT, SEEDS

distributed = pytest.importorskip("distributed")
dask = pytest.importorskip("dask")

ENGLISH = ROOT / "tests" / "fixtures" / "english_articles"
DIGITS = re.compile(r"[0-9]+")


@pytest.fixture(scope="module")
def cluster():
    config = {"distributed.scheduler.allowed-failures": 0, "distributed.scheduler.worker-saturation": 1.0}
    with dask.config.set(config), distributed.LocalCluster(
            n_workers=2, threads_per_worker=1, processes=True, dashboard_address=":0") as local:
        yield local.scheduler_address


@pytest.fixture(scope="module")
def mixed_corpus(tmp_path_factory):
    """The seeds and the English fixtures, each also as three variants with other numbers,
    other ids and metadata, in one .jsonl: 32 articles of two languages."""
    articles = list(load_articles([SEEDS, ENGLISH], on_error=lambda problem: None))
    path = tmp_path_factory.mktemp("mixed") / "variants.jsonl"
    with path.open("w", encoding="utf-8") as handle:
        for variant in range(1, 4):
            for article in articles:
                text = DIGITS.sub(lambda m: str(int(m.group()) * (variant + 1) + variant), article.text)
                handle.write(json.dumps({
                    "id": f"{article.doc_id}-v{variant}", "text": text, "language": article.language,
                    "publisher": article.publisher or "", "published": str(article.published or ""),
                }, ensure_ascii=False) + "\n")
    return [SEEDS, ENGLISH, path]


@pytest.fixture
def small_tasks(monkeypatch):
    """Tasks of 3 articles, so even the seeds make several tasks, more than are in flight."""
    monkeypatch.setattr(api, "TASK_ARTICLES", 3)


def test_dask_cluster_gives_the_local_figure_table(cluster, mixed_corpus, small_tasks):
    import pandas as pd

    for corpus in ([SEEDS], mixed_corpus):
        local = api.extract_articles(corpus, jobs=2)
        on_dask = api.extract_articles(corpus, engine="dask", scheduler=cluster)
        assert on_dask.articles == local.articles >= 5
        assert not on_dask.problems and not local.problems
        assert len(local.figures) > 20
        pd.testing.assert_frame_equal(on_dask.frame(), local.frame())


def test_dask_run_with_a_store_writes_the_local_figures_csv(cluster, tmp_path, small_tasks):
    local = api.run([SEEDS], tmp_path / "local", jobs=2, corrections=False)
    on_dask = api.run([SEEDS], tmp_path / "dask", corrections=False, engine="dask", scheduler=cluster)
    assert on_dask.extraction.extracted == local.extraction.extracted == 5
    assert (tmp_path / "dask" / "figures.csv").read_bytes() == (tmp_path / "local" / "figures.csv").read_bytes()
    rerun = api.run([SEEDS], tmp_path / "dask", corrections=False, engine="dask", scheduler=cluster)
    assert rerun.extraction.extracted == 0 and rerun.extraction.unchanged == 5


def test_a_task_failing_on_a_worker_costs_only_its_articles(cluster, mixed_corpus, small_tasks, monkeypatch):
    original = api._extract_task
    doomed = "001_450bf0e7429b9e63-v2"

    def failing_task(articles, include_latent):  # a local function: sent to the workers by value
        if any(a.doc_id == doomed for a in articles):
            raise RuntimeError("worker ran out of luck")
        return original(articles, include_latent)

    local = api.extract_articles(mixed_corpus, jobs=1)
    monkeypatch.setattr(api, "_extract_task", failing_task)
    on_dask = api.extract_articles(mixed_corpus, engine="dask", scheduler=cluster)
    failed = _failed_articles(on_dask, mixed_corpus)
    assert doomed in failed and len(failed) == 3, failed  # its task of three, no other
    assert all("RuntimeError: worker ran out of luck" in p.message for p in on_dask.problems)
    assert on_dask.articles == local.articles
    kept = [f for f in local.figures if f.doc_id not in failed]
    assert len(kept) < len(local.figures)
    assert on_dask.figures == kept


def test_a_lost_worker_costs_only_the_articles_of_its_task(cluster, mixed_corpus, small_tasks, monkeypatch):
    original = api._extract_task
    doomed = "reuters_2018-05-21_damascus-v1"

    def dying_task(articles, include_latent):
        if any(a.doc_id == doomed for a in articles):
            os._exit(1)  # the worker process dies; its nanny starts another
        return original(articles, include_latent)

    local = api.extract_articles(mixed_corpus, jobs=1)
    monkeypatch.setattr(api, "_extract_task", dying_task)
    on_dask = api.extract_articles(mixed_corpus, engine="dask", scheduler=cluster)
    failed = _failed_articles(on_dask, mixed_corpus)
    assert doomed in failed and len(failed) == 3, failed
    assert all("KilledWorker" in p.message for p in on_dask.problems)
    assert on_dask.figures == [f for f in local.figures if f.doc_id not in failed]


def test_an_article_raising_in_an_in_process_worker_is_reported(mixed_corpus, monkeypatch):
    # Workers in this process (threads) see the patched extract_figures.
    original = api.extract_figures
    doomed = "afp_2018-05-20_yarmouk-v3"

    def extract_figures(article, **options):
        if article.doc_id == doomed:
            raise ValueError("unreadable")
        return original(article, **options)

    local = api.extract_articles(mixed_corpus, jobs=1)
    monkeypatch.setattr(api, "extract_figures", extract_figures)
    with distributed.LocalCluster(n_workers=2, threads_per_worker=1, processes=False, dashboard_address=":0") as here:
        on_dask = api.extract_articles(mixed_corpus, engine="dask", scheduler=here.scheduler_address)
    assert _failed_articles(on_dask, mixed_corpus) == {doomed}
    assert "unreadable" in on_dask.problems[0].message
    assert on_dask.figures == [f for f in local.figures if f.doc_id != doomed]


def test_dask_engine_keeps_few_tasks_in_flight(cluster):
    from casualties.engines import run_tasks

    pulled = []

    def tasks():
        for i in range(40):
            pulled.append(i)
            yield [i]

    def double(task):
        return [(item * 2, None) for item in task]

    results = run_tasks(tasks(), double, engine="dask", scheduler=cluster)
    assert next(results) == (0, 0, None)
    assert len(pulled) <= 5  # two workers, two tasks each, and the one that filled the queue
    assert [result for _, result, _ in results] == [i * 2 for i in range(1, 40)]


def test_engine_choices_fail_early_and_clearly(monkeypatch, tmp_path):
    with pytest.raises(CasualtiesError, match="unknown engine 'spark'"):
        api.extract_articles([SEEDS], engine="spark")
    with pytest.raises(CasualtiesError, match="--engine dask"):
        api.run([SEEDS], tmp_path, scheduler="tcp://127.0.0.1:8786")
    assert not (tmp_path / api.DB_NAME).exists()  # failed before the store was opened
    monkeypatch.setitem(sys.modules, "distributed", None)  # as if dask were not installed
    with pytest.raises(CasualtiesError, match=r"pip install 'casualties\[dask\]'"):
        api.run([SEEDS], tmp_path, engine="dask")


def test_nothing_to_extract_starts_no_cluster(monkeypatch):
    from casualties import engines

    def no_cluster(*args):
        raise AssertionError("a cluster was started for no work")

    monkeypatch.setattr(engines, "_dask_client", no_cluster)
    assert list(engines.run_tasks(iter([]), len, engine="dask")) == []


def _failed_articles(extraction, corpus) -> set[str]:
    """Ids of the articles whose problems the extraction reported (a problem names file and line)."""
    where = {(a.path or a.doc_id, a.line): a.doc_id for a in load_articles(corpus, on_error=lambda problem: None)}
    return {where[(p.path, p.line)] for p in extraction.problems}


def test_workers_with_other_rules_or_without_casualties_stop_the_run():
    from casualties.engines import _check_workers

    class Cluster:
        def __init__(self, answers):
            self.answers = answers

        def run(self, function):
            if isinstance(self.answers, Exception):
                raise self.answers
            return self.answers

    _check_workers(Cluster({"tcp://a:1": "rules 1", "tcp://b:1": "rules 1"}), lambda: "rules 1", "tcp://s:8786")
    with pytest.raises(CasualtiesError, match=r"tcp://b:1 run rules 2, this process runs rules 1"):
        _check_workers(Cluster({"tcp://a:1": "rules 1", "tcp://b:1": "rules 2"}), lambda: "rules 1", "tcp://s:8786")
    with pytest.raises(CasualtiesError, match=r"cannot run casualties \(ModuleNotFoundError.*casualties\[dask\]"):
        _check_workers(Cluster(ModuleNotFoundError("No module named 'casualties'")), lambda: "rules 1", None)
