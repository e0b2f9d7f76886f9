"""The dependency audit script (.ci/audit): allow-list rules and how it reports results."""

from __future__ import annotations

import importlib.machinery
import importlib.util
from datetime import date, timedelta
from pathlib import Path

import pytest

SCRIPT = Path(__file__).resolve().parent.parent / ".ci" / "audit"


@pytest.fixture
def audit():
    loader = importlib.machinery.SourceFileLoader("earshot_ci_audit", str(SCRIPT))
    spec = importlib.util.spec_from_loader("earshot_ci_audit", loader)
    module = importlib.util.module_from_spec(spec)
    loader.exec_module(module)
    return module


def test_allowlist_needs_reason_and_expiry(audit, tmp_path: Path) -> None:
    later = (date.today() + timedelta(days=30)).isoformat()
    past = (date.today() - timedelta(days=1)).isoformat()
    f = tmp_path / "allow.txt"
    f.write_text(f"# comment\n\nGHSA-aaaa until {later} # client only\nPYSEC-1 until {past} # old\nCVE-2 # no date\n")
    allowed, problems = audit.allowlist(f)
    assert allowed == {"GHSA-aaaa": "client only"}
    assert len(problems) == 2 and "expired" in problems[0] and "expected" in problems[1]


def test_the_shipped_allowlist_is_valid(audit) -> None:
    assert audit.allowlist()[1] == []


def _report(*deps):
    return {"dependencies": list(deps), "fixes": []}


def test_vulnerability_fails_and_clean_passes(audit, monkeypatch, capsys) -> None:
    vuln = {"name": "requests", "version": "2.0.0", "vulns": [{"id": "GHSA-x", "fix_versions": ["2.32.0"]}]}
    monkeypatch.setattr(audit, "run_pip_audit", lambda service, ignore: (_report(vuln), ""))
    assert audit.main() == 1
    assert "VULNERABLE requests==2.0.0: GHSA-x" in capsys.readouterr().out
    clean = {"name": "requests", "version": "2.34.2", "vulns": []}
    monkeypatch.setattr(audit, "run_pip_audit", lambda service, ignore: (_report(clean), ""))
    assert audit.main() == 0


def test_unreachable_service_is_reported_never_silent(audit, monkeypatch, capsys) -> None:
    skipped = {"name": "pandas", "skip_reason": "Dependency not found on PyPI and could not be audited"}
    monkeypatch.setattr(audit, "run_pip_audit", lambda service, ignore: (
        (_report(skipped), "") if service == "pypi" else (None, "osv: connection failed")))
    monkeypatch.delenv("EARSHOT_AUDIT_STRICT", raising=False)
    assert audit.main() == 0
    assert "NOT RUN" in capsys.readouterr().out
    monkeypatch.setenv("EARSHOT_AUDIT_STRICT", "1")
    assert audit.main() == audit.EXIT_NOT_RUN
