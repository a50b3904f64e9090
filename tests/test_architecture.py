"""The engine knows no language, and data flows one way through the stages."""
import ast
import re
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parent.parent / "casualties"
ENGINE = sorted(p for p in PACKAGE.rglob("*.py"))

# Shared foundations any module may import; then the stages in pipeline order.
FOUNDATION = {"model", "errors", "offsets", "text", "langpack", "gazetteer", "dates"}
STAGE_RANK = {
    "corpus": 1, "numbers": 3, "figures": 4, "attribution": 5, "periods": 5,
    "table": 6, "evaluate": 6, "corrections": 6, "reconcile": 7, "store": 7, "writers": 8,
}
ORCHESTRATORS = {"api", "engines", "explain", "cli", "__init__", "__main__"}
ARABIC_BLOCK = re.compile(r"[\u0600-\u06ff\u0750-\u077f\ufb50-\ufdff\ufe70-\ufeff]")
LANGUAGE_LITERAL = re.compile(r"""==\s*["'](ar|en|fr|xx)["']|["'](ar|en)["']\s*==|lang\w*\s+in\s*\(""")


def module_name(path: Path) -> str:
    relative = path.relative_to(PACKAGE)
    return relative.parts[0] if len(relative.parts) > 1 else path.stem


def imported_modules(path: Path) -> set[str]:
    found = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.ImportFrom) and node.level:
            base = (node.module or "").split(".")[0]
            if node.level == 2 or path.parent != PACKAGE:
                base = (node.module or "").split(".")[0] if node.level == 2 else base
                if node.level == 1 and path.parent != PACKAGE:
                    continue  # a sibling inside the same sub-package
            found.add(base or "__init__")
        elif isinstance(node, ast.ImportFrom) and (node.module or "").startswith("casualties"):
            found.add((node.module.split(".") + ["__init__"])[1])
    return found


def code_strings(source: str) -> list[str]:
    """String literals that are code, not docstrings (worked examples in docs may quote Arabic)."""
    tree = ast.parse(source)
    docstrings = set()
    for node in ast.walk(tree):
        if isinstance(node, (ast.Module, ast.ClassDef, ast.FunctionDef, ast.AsyncFunctionDef)) and node.body:
            first = node.body[0]
            if isinstance(first, ast.Expr) and isinstance(first.value, ast.Constant):
                docstrings.add(id(first.value))
    return [n.value for n in ast.walk(tree)
            if isinstance(n, ast.Constant) and isinstance(n.value, str) and id(n) not in docstrings]


@pytest.mark.parametrize("path", ENGINE, ids=lambda p: str(p.relative_to(PACKAGE)))
def test_engine_has_no_language_text(path):
    source = path.read_text(encoding="utf-8")
    for literal in code_strings(source):
        assert not ARABIC_BLOCK.search(literal), f"{path.name}: {literal!r}: language knowledge belongs in lang/"
    code = ast.unparse(ast.parse(source))
    assert not LANGUAGE_LITERAL.search(code), f"{path.name} branches on a language code"


@pytest.mark.parametrize("path", ENGINE, ids=lambda p: str(p.relative_to(PACKAGE)))
def test_no_module_imports_a_later_stage(path):
    name = module_name(path)
    if name in ORCHESTRATORS:
        return
    rank = STAGE_RANK.get(name, 0)
    for imported in imported_modules(path):
        if imported in FOUNDATION or imported == name:
            continue
        assert imported not in ORCHESTRATORS, f"{name} imports the orchestrator {imported}"
        assert STAGE_RANK.get(imported, 0) < rank or name == "writers" and imported in ("reconcile", "table"), (
            f"{name} (stage {rank}) imports {imported} (stage {STAGE_RANK.get(imported)})")
    if name in FOUNDATION:
        stages = imported_modules(path) - FOUNDATION - {name}
        assert not stages, f"foundation module {name} imports stages {stages}"


def test_the_checks_can_fail():
    assert any(ARABIC_BLOCK.search(s) for s in code_strings('"""doc"""\nx = "\u0642\u062a\u0644"'))
    assert not code_strings('"""\u0642\u062a\u0644"""')
    assert LANGUAGE_LITERAL.search('if lang == "ar":')
