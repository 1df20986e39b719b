"""The shape of the house: rules and models load without Flask, no portal module imports
itself back through others, and every Chinese string the code shows passes through gettext
(so the English interface is English)."""
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
        if path.stem in ("models", "rules", "memberships", "db", "counting", "workflow", "errors", "files",
                         "markup", "textclean", "xlsx") or path.relative_to(PORTAL).as_posix() == "org/roster.py" \
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


def _module_name(path: Path, root: Path = ROOT) -> str:
    parts = list(path.relative_to(root).with_suffix("").parts)
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def _imports(path: Path, root: Path, modules: set[str]) -> set[str]:
    """The portal modules ``path`` imports, wherever the import statement stands (an import
    inside a function is still a dependency), except those only a type checker reads, and
    except its own packages: a package's ``__init__`` assembles its modules (a blueprint's
    views), and a module may take what its package defines (the blueprint)."""
    me = _module_name(path, root)
    package = me if path.name == "__init__.py" else me.rpartition(".")[0]
    tree = ast.parse(path.read_text(encoding="utf-8"))
    skipped = {id(n) for node in ast.walk(tree) if isinstance(node, ast.If) and "TYPE_CHECKING" in ast.unparse(node.test)
               for stmt in node.body for n in ast.walk(stmt)}
    found: set[str] = set()
    for node in ast.walk(tree):
        if id(node) in skipped:
            continue
        if isinstance(node, ast.Import):
            found |= {a.name for a in node.names}
        elif isinstance(node, ast.ImportFrom):
            base = package.split(".")[: len(package.split(".")) - node.level + 1] if node.level else []
            module = ".".join(base + ([node.module] if node.module else []))
            submodules = {f"{module}.{a.name}" for a in node.names} & modules
            found |= submodules
            if len(submodules) < len(node.names):
                found.add(module)
    return {m for m in found & modules if m != me and not me.startswith(m + ".")}


def import_cycles(root: Path) -> list[list[str]]:
    """Groups of portal modules that import each other, directly or through others (Tarjan)."""
    paths = {_module_name(p, root): p for p in (root / "portal").rglob("*.py") if "migrations" not in p.parts}
    graph = {m: sorted(_imports(p, root, set(paths))) for m, p in paths.items()}
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    cycles: list[list[str]] = []

    def visit(m: str) -> None:
        index[m] = low[m] = len(index)
        stack.append(m)
        for n in graph[m]:
            if n not in index:
                visit(n)
                low[m] = min(low[m], low[n])
            elif n in stack:
                low[m] = min(low[m], index[n])
        if low[m] == index[m]:
            group = []
            while True:
                n = stack.pop()
                group.append(n)
                if n == m:
                    break
            if len(group) > 1:
                cycles.append(sorted(group))

    for m in sorted(graph):
        if m not in index:
            visit(m)
    return cycles


def test_no_import_cycle_among_portal_modules():
    cycles = import_cycles(ROOT)
    assert not cycles, "modules that import each other:\n" + "\n".join(" ↔ ".join(c) for c in cycles)


def test_the_cycle_finder_finds_a_cycle(tmp_path):
    for name, text in {"__init__.py": "", "a.py": "from portal.b import x\n",
                       "b.py": "def f():\n    from portal import a\n", "c.py": "from portal import a\n"}.items():
        (tmp_path / "portal").mkdir(exist_ok=True)
        (tmp_path / "portal" / name).write_text(text, encoding="utf-8")
    assert import_cycles(tmp_path) == [["portal.a", "portal.b"]]


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
