"""The analysis pass records threads that an own account answered (response tracking, automatically)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

from analysis.__main__ import main as analysis_main
from collectors.file_import import FileImport
from collectors.runner import run_collector
from earshot.config import Source
from storage.workflow import WorkflowStore


def test_own_reply_marks_thread_answered(ctx, tmp_path: Path) -> None:
    now = datetime.now(UTC)
    f = tmp_path / "thread.csv"
    f.write_text(
        "id,source,author,created_at,parent_id,conversation_id,text\n"
        f"q1,x,kundin_a,{(now - timedelta(hours=3)).isoformat()},,q1,Hafenlicht wann kommt meine Rechnung?\n"
        f"a1,x,hafenlicht,{(now - timedelta(hours=2)).isoformat()},q1,q1,Hallo! Die Rechnung ist unterwegs.\n"
        f"q2,x,kunde_b,{(now - timedelta(hours=1)).isoformat()},,q2,Hafenlicht warum ist mein Abschlag so hoch?\n",
        encoding="utf-8",
    )
    run_collector(ctx, FileImport(ctx.config, Source(enabled=True, path=str(f))))
    assert analysis_main(["--data", str(ctx.data_dir), "run"]) == 0
    current = WorkflowStore(ctx.data_dir).current()
    assert current["x:q1"]["status"] == "answered"
    assert "x:q2" not in current or current["x:q2"]["status"] != "answered"
    assert analysis_main(["--data", str(ctx.data_dir), "run"]) == 0  # a rerun records nothing twice
    assert len(WorkflowStore(ctx.data_dir).history("x:q1")) == 1
