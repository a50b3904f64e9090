"""Every command through click's CliRunner; the README's generated blocks are current."""
import json
import subprocess
import sys

import pytest
from click.testing import CliRunner

from casualties.cli import cli
from conftest import ROOT, SEEDS

COMMANDS = ["run", "extract", "compare", "summary", "numbers", "explain", "eval", "check-data"]


@pytest.fixture()
def runner():
    return CliRunner()


@pytest.mark.parametrize("command", COMMANDS)
def test_every_command_has_help(runner, command):
    result = runner.invoke(cli, [command, "--help"])
    assert result.exit_code == 0
    assert "Usage:" in result.output


def test_version(runner):
    result = runner.invoke(cli, ["--version"])
    assert result.exit_code == 0 and "casualties" in result.output


def test_run_writes_reports_and_prints_summary(runner, tmp_path):
    result = runner.invoke(cli, ["run", str(SEEDS), "--out", str(tmp_path)])
    assert result.exit_code == 0, result.output
    for name in ("figures.csv", "comparison.xlsx", "comparison.csv"):
        assert (tmp_path / name).stat().st_size > 0
    assert "sohr" in result.output and "amaq" in result.output
    assert not [p for p in tmp_path.iterdir() if p.name.startswith(".") or p.suffix == ".tmp"]


def test_extract_then_compare_then_summary(runner, tmp_path):
    figures = tmp_path / "figures.jsonl"
    result = runner.invoke(cli, ["extract", str(SEEDS), "-o", str(figures)])
    assert result.exit_code == 0, result.output
    rows = [json.loads(line) for line in figures.read_text(encoding="utf-8").splitlines()]
    assert any(r["claimed_by"] == "amaq" and r["low"] == 900 for r in rows)
    csv_path = tmp_path / "figures.csv"
    assert runner.invoke(cli, ["extract", str(SEEDS), "-o", str(csv_path)]).exit_code == 0
    workbook = tmp_path / "cmp.xlsx"
    result = runner.invoke(cli, ["compare", str(csv_path), "-o", str(workbook)])
    assert result.exit_code == 0, result.output
    assert workbook.exists() and workbook.with_suffix(".csv").exists()
    result = runner.invoke(cli, ["summary", str(csv_path), "--format", "json"])
    assert result.exit_code == 0, result.output
    json.loads(result.output)


def test_numbers_reads_arguments_and_stdin(runner):
    result = runner.invoke(cli, ["numbers", "--lang", "ar", "قتل نحو 60 عنصراً"])
    assert result.exit_code == 0
    found = json.loads(result.output)["quantities"]
    assert [(q["text"], q["low"], q["qualifier"]) for q in found] == [("نحو 60", 60, "about")]
    result = runner.invoke(cli, ["numbers", "--lang", "ar", "-"], input="62 مدنياً\n70 في المئة\n")
    lines = [json.loads(line) for line in result.output.splitlines()]
    assert len(lines) == 2
    assert lines[0]["quantities"][0]["low"] == 62
    assert lines[1]["quantities"][0]["kind"] == "percent"


def test_explain_shows_rule_and_claimant(runner):
    result = runner.invoke(cli, ["explain", "وثق المرصد السوري مقتل 12 مدنياً", "--lang", "ar"])
    assert result.exit_code == 0, result.output
    assert "rule=ar.figure.noun_after" in result.output
    assert "claimed_by=sohr" in result.output


def test_explain_rejects_a_bad_date(runner):
    result = runner.invoke(cli, ["explain", "x", "--published", "21/05/2018"])
    assert result.exit_code != 0
    assert "ISO date" in result.output


def test_eval_on_seeds(runner):
    result = runner.invoke(cli, ["eval", str(ROOT / "tests/gold/seeds.jsonl"), str(SEEDS)])
    assert result.exit_code == 0, result.output
    assert "recall 1.000" in result.output


def test_check_data(runner):
    result = runner.invoke(cli, ["check-data"])
    assert result.exit_code == 0, result.output
    assert "ar: ok" in result.output


def test_a_broken_article_is_reported_and_the_rest_extracted(runner, tmp_path):
    (tmp_path / "good.txt").write_text("قتل 12 مدنياً في قصف على إدلب.", encoding="utf-8")
    (tmp_path / "broken.txt").write_bytes(b"\x00\x01\x02binary")
    result = runner.invoke(cli, ["extract", str(tmp_path), "-o", str(tmp_path / "out.csv")])
    assert result.exit_code == 0
    assert "broken.txt" in result.output
    assert "1 figures" in result.output


def test_readme_generated_blocks_are_current():
    check = subprocess.run([sys.executable, "-m", "cogapp", "--check", str(ROOT / "README.md")],
                           capture_output=True, text=True, cwd=ROOT)
    assert check.returncode == 0, "README is stale: run `.venv/bin/cog -r README.md`\n" + check.stdout + check.stderr
