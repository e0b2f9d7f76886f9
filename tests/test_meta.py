"""Meta-tests: what the code offers is documented and tested (collectors, schema, commands)."""

from __future__ import annotations

import re
import subprocess
import sys

import pytest
import yaml

from collectors.registry import REGISTRY
from earshot.config import EXAMPLE_CONFIG, ROOT
from storage.schema import MENTION

README = (ROOT / "README.md").read_text(encoding="utf-8")


def test_readme_mention_table_matches_schema() -> None:
    section = README.split("## The mention row", 1)[1].split("\n## ", 1)[0]
    rows = re.findall(r"^\| (\w+) \| ([^|]+) \|", section, flags=re.M)
    documented = [name for name, _ in rows if name != "field"]
    assert documented == MENTION.names


@pytest.mark.parametrize("name", sorted(REGISTRY))
def test_every_collector_has_config_entry_docs_and_tests(name: str) -> None:
    sources = yaml.safe_load(EXAMPLE_CONFIG.read_text(encoding="utf-8"))["sources"]
    assert name in sources, f"add sources.{name} to config/earshot.example.yaml"
    cls = REGISTRY[name]
    docs = README + "".join(p.read_text(encoding="utf-8") for p in (ROOT / "docs").glob("*.md"))
    assert f"`{name}`" in docs or f"sources.{name}" in docs or f"collectors {name}" in docs, (
        f"document the {name} source in docs/sources.md"
    )
    tests = "".join(p.read_text(encoding="utf-8") for p in (ROOT / "tests").glob("test_*.py"))
    assert cls.__name__ in tests.replace("test_meta", ""), f"no test mentions {cls.__name__}"


@pytest.mark.parametrize("module", ["collectors", "analysis"])
def test_commands_have_help(module: str) -> None:
    proc = subprocess.run([sys.executable, "-m", module, "--help"], cwd=ROOT, capture_output=True, text=True,
                          timeout=120)
    assert proc.returncode == 0 and "usage" in proc.stdout.lower()


FREE_FORM = {"own_accounts", "keywords", "employee_accounts"}  # their children are data, not settings


def _key_paths() -> dict[str, bool]:
    """Every setting's path in the example config (list items collapsed) -> whether any occurrence is commented."""
    lines = EXAMPLE_CONFIG.read_text(encoding="utf-8").splitlines()
    stack: list[tuple[int, str]] = []
    seen: dict[str, bool] = {}
    for n, line in enumerate(lines):
        m = re.match(r"^(\s*)(- )?([\w-]+):(.*)$", line)
        if not m or line.strip().startswith("#"):
            continue
        indent = len(m.group(1)) + (2 if m.group(2) else 0)
        while stack and stack[-1][0] >= indent:
            stack.pop()
        if any(k in FREE_FORM for _, k in stack):
            continue
        path = ".".join([k for _, k in stack] + [m.group(3)])
        stack.append((indent, m.group(3)))
        commented = "#" in m.group(4) or (n > 0 and lines[n - 1].strip().startswith("#"))
        seen[path] = seen.get(path, False) or commented
    return seen


def test_every_example_config_key_is_commented() -> None:
    missing = [path for path, ok in _key_paths().items() if not ok]
    assert not missing, "comment these settings in config/earshot.example.yaml: " + ", ".join(missing)
