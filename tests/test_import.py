"""File import through the collector interface: good rows, bad rows with line numbers, re-import."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

from collectors.file_import import FileImport
from collectors.runner import run_collector
from earshot.config import ROOT, Source
from storage.schema import MENTIONS, RUNS

CSV = """id,created_at,author,text,likes,source,lang
1,2026-10-01T10:00:00Z,anna,Hafenlicht hat meine Rechnung doppelt abgebucht,3,x,de
2,not-a-date,ben,Hafenlicht App down again,1,x,en
3,2026-10-02 08:15,carla,Nothing about any company here,0,reddit,en
4,2026-10-02T09:00:00+02:00,dora,,5,x,de
,2026-10-03T12:00:00Z,emil,"Stromwerk Nord, ""quoted"" and
multi-line",two,x,de
,2026-10-03T12:00:00Z,fritz,LichtBox läuft super,7,,de
"""


def importer(ctx, path: Path) -> FileImport:
    return FileImport(ctx.config, Source(enabled=True, path=str(path)))


def test_import_keeps_good_rows_reports_bad_with_line(ctx, tmp_path: Path) -> None:
    f = tmp_path / "export.csv"
    f.write_text(CSV, encoding="utf-8")
    report = run_collector(ctx, importer(ctx, f))
    assert report.new == 3 and report.bad == 3
    joined = "\n".join(report.errors)
    assert "line 3: BadItem: created_at 'not-a-date' is not a date" in joined
    assert "line 5: BadItem: text is missing or empty" in joined
    assert "line 7: BadItem: likes 'two' is not a number" in joined  # a quoted newline: line of the row's end
    t = ctx.lake.read(MENTIONS).to_pylist()
    by_text = {r["text"].split()[0]: r for r in t}
    assert set(by_text) == {"Hafenlicht", "Nothing", "LichtBox"}
    assert by_text["Hafenlicht"]["entity"] == "Hafenlicht" and by_text["Hafenlicht"]["likes"] == 3
    assert by_text["Nothing"]["entity"] is None  # kept although it matches nothing
    assert by_text["LichtBox"]["source"] == "import" and by_text["LichtBox"]["id"].startswith("h")
    assert by_text["LichtBox"]["entity"] == "LichtBox"
    assert ctx.lake.read(RUNS).to_pylist()[0]["status"] == "partial"


def test_reimport_adds_nothing_even_without_ids(ctx, tmp_path: Path) -> None:
    f = tmp_path / "export.csv"
    f.write_text(CSV, encoding="utf-8")
    run_collector(ctx, importer(ctx, f))
    again = run_collector(ctx, importer(ctx, f))
    assert again.new == 0 and again.duplicates == 3


def test_jsonl_with_broken_lines(ctx, tmp_path: Path) -> None:
    f = tmp_path / "dump.jsonl"
    lines = [
        json.dumps({"text": "Hafenlicht ist super", "created_at": 1790000000}),
        "{broken",
        json.dumps(["not", "an", "object"]),
        "",
        json.dumps({"text": "Ärger mit Hafenlicht 😡", "author": "zoe", "title": None}),
    ]
    f.write_text("\n".join(lines), encoding="utf-8")
    report = run_collector(ctx, importer(ctx, f))
    assert report.new == 2 and report.bad == 2
    assert any(e.startswith("line 2:") and "not valid JSON" in e for e in report.errors)
    assert any(e.startswith("line 3:") for e in report.errors)
    texts = {r["text"] for r in ctx.lake.read(MENTIONS).to_pylist()}
    assert "Ärger mit Hafenlicht 😡" in texts


def test_windows_1252_file_is_read(ctx, tmp_path: Path) -> None:
    f = tmp_path / "excel.csv"
    f.write_bytes("text,author\nGrüße an Hafenlicht,jörg\n".encode("cp1252"))
    report = run_collector(ctx, importer(ctx, f))
    assert report.new == 1
    assert ctx.lake.read(MENTIONS).to_pylist()[0]["text"] == "Grüße an Hafenlicht"


def test_cli_import(data_dir: Path, tmp_path: Path) -> None:
    f = tmp_path / "export.csv"
    f.write_text(CSV, encoding="utf-8")
    cmd = [sys.executable, "-m", "collectors", "import", str(f)]
    proc = subprocess.run(cmd, cwd=ROOT, capture_output=True, text=True, timeout=120)
    assert proc.returncode == 0, proc.stderr
    assert "imported 3 new, 0 already present, 3 bad rows skipped" in proc.stdout
    assert "skipped line 3" in proc.stderr
    proc = subprocess.run(cmd, cwd=ROOT, capture_output=True, text=True, timeout=120)
    assert "imported 0 new, 3 already present" in proc.stdout


def test_cli_import_missing_file(data_dir: Path, tmp_path: Path) -> None:
    cmd = [sys.executable, "-m", "collectors", "import", str(tmp_path / "nope.csv")]
    proc = subprocess.run(cmd, cwd=ROOT, capture_output=True, text=True, timeout=120)
    assert proc.returncode == 1
    assert "cannot read" in proc.stderr and "Check the path" in proc.stderr
