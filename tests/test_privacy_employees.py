"""Employee accounts: excluded at ingest (or kept only as daily counts), so staff cannot be monitored."""

from __future__ import annotations

from pathlib import Path

import pytest

from collectors.runner import run_collector
from earshot import privacy
from earshot.context import Context
from storage.schema import MENTIONS
from tests.privacy_helpers import ListCollector, config, find_in_data, post

STAFF_TEXT = "Als Hafenlicht Mitarbeiterin finde ich die neue Schichtplanung schwierig"


@pytest.fixture(autouse=True)
def key(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(privacy.KEY_ENV, "employee-test-key-0123456789")


def items() -> list[dict]:
    return [
        post("1", STAFF_TEXT, "erika_staff", "s-1", "Erika Staff", source="x"),
        post("2", "Hafenlicht LichtBox works fine", "erika_staff", "s-1", source="x", when="2026-11-21T09:00:00Z"),
        post("3", "Hafenlicht prices up again", "customer_a", "c-1", source="x"),
        post("4", "Hafenlicht on another platform", "erika_staff", "s-9", source="reddit"),  # not listed there
    ]


@pytest.mark.parametrize("keep_raw", ["clear", "pseudonymised"])
def test_employee_posts_are_excluded_everywhere(tmp_path: Path, keep_raw: str) -> None:
    cfg = config(tmp_path, employee_accounts={"x": ["@Erika_Staff"]}, keep_raw=keep_raw)
    ctx = Context(cfg, tmp_path / "data")
    report = run_collector(ctx, ListCollector(items()))
    ids = sorted(ctx.lake.read(MENTIONS, ["id"]).column("id").to_pylist())
    assert ids == ["3", "4"]  # the account is listed for x only
    assert report.excluded == 2
    assert find_in_data(ctx.data_dir, [STAFF_TEXT, "s-1", "Erika Staff"]) == []
    assert ctx.lake.count(privacy.EMPLOYEE_POSTS) == 0


def test_employee_posts_count_only(tmp_path: Path) -> None:
    cfg = config(tmp_path, employee_accounts={"x": ["erika_staff"]}, employee_posts="count_only")
    ctx = Context(cfg, tmp_path / "data")
    run_collector(ctx, ListCollector(items()))
    counts = ctx.lake.read(privacy.EMPLOYEE_POSTS).to_pylist()
    assert sorted((str(c["day"].date()), c["source"], c["entity"], c["posts"]) for c in counts) == [
        ("2026-11-20", "x", "Hafenlicht", 1), ("2026-11-21", "x", "Hafenlicht", 1),
    ]
    assert find_in_data(ctx.data_dir, [STAFF_TEXT, "s-1", "erika"]) == []
    assert sorted(ctx.lake.read(MENTIONS, ["id"]).column("id").to_pylist()) == ["3", "4"]
