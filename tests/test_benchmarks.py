"""benchmarks/english.py times English wire-style text against Arabic text of the same size."""
import importlib.util
import subprocess
import sys
from pathlib import Path

import regex

BENCHMARK = Path(__file__).resolve().parent.parent / "benchmarks" / "english.py"
LETTER = regex.compile(r"\p{L}")
ARABIC_LETTER = regex.compile(r"\p{Arabic}")


def benchmark_module():
    spec = importlib.util.spec_from_file_location("benchmark_english", BENCHMARK)
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # dataclasses look their module up there
    spec.loader.exec_module(module)
    return module


def test_english_corpus_is_english_recombined_and_of_the_size_asked():
    articles = benchmark_module().build_corpus("en", 0.05)
    text = "\n\n".join(articles)
    assert len(text.encode("utf-8")) >= 50_000
    assert not ARABIC_LETTER.search(text)
    paragraphs = text.split("\n\n")
    assert len(set(paragraphs)) >= 100, "recombined from many texts, not one repeated"
    assert len(set(articles)) == len(articles)
    assert {"killed", "said"} <= set(regex.findall(r"\p{L}+", text.lower()))


def test_arabic_corpus_is_arabic_and_as_large_as_the_english():
    bench = benchmark_module()
    english, arabic = bench.build_corpus("en", 0.05), bench.build_corpus("ar", 0.05)
    letters = LETTER.findall("".join(arabic))
    assert sum(1 for c in letters if ARABIC_LETTER.match(c)) > 0.9 * len(letters)
    size = {name: sum(len(t.encode("utf-8")) for t in texts) for name, texts in (("en", english), ("ar", arabic))}
    longest = max(len(t.encode("utf-8")) for t in english + arabic)
    assert abs(size["en"] - size["ar"]) <= longest


def test_benchmark_runs_without_quantulum():
    done = subprocess.run([sys.executable, str(BENCHMARK), "--mb", "0.01", "--no-quantulum"],
                          capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    rows = [line.split() for line in done.stdout.splitlines() if line.startswith("casualties ")]
    assert [(r[1], r[2]) for r in rows] == [("extract_text", "en"), ("extract_text", "ar"),
                                            ("read_quantities", "en"), ("read_quantities", "ar")]
    assert all(int(r[-1]) > 0 for r in rows), "every measurement found something to count"
    assert "English / Arabic, full extraction:" in done.stdout
    assert "quantulum3 parse" not in done.stdout


def test_stage_harness_runs_and_times_each_stage():
    stages = BENCHMARK.parent / "stages.py"
    done = subprocess.run([sys.executable, str(stages), "seeds", "0.02", "--repeat", "1"],
                          capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    assert done.stdout.startswith("seeds "), done.stdout
    timed = {line.split()[0] for line in done.stdout.splitlines()[1:]}
    assert {"find_quantities", "match_figures", "attribute", "resolve_periods"} <= timed
