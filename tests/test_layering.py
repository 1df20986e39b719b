"""The shape of the house: rules and models load without Flask, and every Chinese string
the code shows passes through gettext (so the English interface is English)."""
from __future__ import annotations

import ast
import json
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PORTAL = ROOT / "portal"
MARKERS = {"_", "_l", "N_", "gettext", "lazy_gettext", "ngettext", "lazy_ngettext", "pgettext"}
CJK = range(0x4E00, 0xA000)


def _domain_modules() -> list[str]:
    found = []
    for path in sorted(PORTAL.rglob("*.py")):
        if path.stem in ("models", "rules", "memberships", "db", "counting", "workflow", "errors", "files") \
                or path.parent.name == "rules":
            found.append(".".join(path.relative_to(ROOT).with_suffix("").parts))
    return found


def test_rules_and_models_import_no_flask():
    modules = _domain_modules()
    assert "portal.disclosure.rules" in modules and "portal.auth.models" in modules
    code = (
        "import importlib, json, sys\n"
        f"for m in {modules!r}: importlib.import_module(m)\n"
        "print(json.dumps(sorted(m for m in sys.modules if m.split('.')[0].startswith(('flask', 'htmx_flask')))))"
    )
    out = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, check=True)
    assert json.loads(out.stdout) == [], f"{len(modules)} domain modules pull in Flask"


def _has_cjk(text: str) -> bool:
    return any(ord(c) in CJK for c in text)


def _unmarked(path: Path) -> list[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    marked: set[int] = set()
    docstrings: set[int] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Call):
            name = node.func.id if isinstance(node.func, ast.Name) else getattr(node.func, "attr", "")
            if name in MARKERS:
                for arg in ast.walk(node):
                    marked.add(id(arg))
        if isinstance(node, (ast.Module, ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)) and node.body:
            first = node.body[0]
            if isinstance(first, ast.Expr) and isinstance(first.value, ast.Constant):
                docstrings.add(id(first.value))
    return [
        f"{path.relative_to(ROOT)}:{node.lineno}: {node.value[:30]!r}"
        for node in ast.walk(tree)
        if isinstance(node, ast.Constant) and isinstance(node.value, str) and _has_cjk(node.value)
        and id(node) not in marked and id(node) not in docstrings
    ]


def test_no_unmarked_chinese_strings():
    skip = ("seed", "migrations", "translations")
    files = [p for p in PORTAL.rglob("*.py") if not set(p.relative_to(PORTAL).parts) & set(skip)]
    found = [line for path in files for line in _unmarked(path)]
    assert not found, f"{len(found)} Chinese strings not marked for translation:\n" + "\n".join(found)
