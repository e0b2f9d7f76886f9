"""CSV export: hostile text round-trips, cells are neutralised, filters and BOM work, rows stream."""

from __future__ import annotations

import csv
import io
from datetime import UTC, datetime, timedelta
from pathlib import Path

import duckdb
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from analysis import export
from storage import reads
from storage.lake import Lake
from storage.queries import Filters, Store
from storage.queries_report import transparency
from storage.queries_rows import EXPORT_COLUMNS
from storage.schema import MENTIONS, empty_row

T0 = datetime(2026, 2, 1, 9, tzinfo=UTC)
HOSTILE = [
    "=HYPERLINK(\"http://evil.example\",\"click\")",
    "+1+1",
    "-2+3",
    "@SUM(A1:A9)",
    "\tTab first",
    "\rCR first",
    'He said "hi", then left;\nnew line, and a comma',
    "Emoji 🔥👍🏽 and ZWJ 👩‍👩‍👧",
    "עברית מימין לשמאל \u202e RTL override",
    "x" * 50_000,
    "<script>alert(1)</script>",
]


def _lake(d: Path, texts: list[str]) -> Store:
    rows = []
    for i, text in enumerate(texts):
        row = empty_row()
        row.update(source="rss", id=f"m{i}", created_at=T0 + timedelta(minutes=i), collected_at=T0, text=text,
                   title=text[:20], author=text[:30], entity="Acme", entities=["Acme"], matched_terms=["acme"],
                   url=f"https://feed.example/{i}", lang="en")
        rows.append(row)
    Lake(d).append(MENTIONS, rows)
    return Store(d, facts=False)


def _unneutralise(cell: str) -> str:
    return cell[1:] if cell.startswith("'") and cell[1:].startswith(export.DANGEROUS) else cell


def _read(data: str) -> list[dict[str, str]]:
    return list(csv.DictReader(io.StringIO(data, newline="")))


def test_neutralise() -> None:
    for bad in ("=1", "+1", "-1", "@x", "\tx", "\rx"):
        assert export.neutralise(bad) == "'" + bad
    assert export.neutralise("fine = ok") == "fine = ok" and export.neutralise("") == ""
    assert export.cell(["a", "=b"]) == "a; =b" and export.cell(["=a"]) == "'=a"
    assert export.cell(True) == "true" and export.cell(None) == "" and export.cell(3) == 3
    assert export.cell(T0) == "2026-02-01T09:00:00Z"


def test_hostile_text_round_trips(tmp_path: Path) -> None:
    store = _lake(tmp_path / "data", HOSTILE)
    buf = io.StringIO(newline="")
    n = export.write_csv(store, Filters(), buf, batch_rows=3)  # several batches
    assert n == len(HOSTILE)
    rows = _read(buf.getvalue())
    assert list(rows[0]) == EXPORT_COLUMNS
    assert [_unneutralise(r["text"]) for r in rows] == HOSTILE
    for r in rows:
        for value in r.values():
            assert not value.startswith(export.DANGEROUS), value[:40]


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.lists(st.text(alphabet=st.characters(blacklist_categories=("Cs",), blacklist_characters="\x00"),
                        min_size=0, max_size=300), min_size=1, max_size=5))
def test_any_text_round_trips(tmp_path_factory: pytest.TempPathFactory, texts: list[str]) -> None:
    store = _lake(tmp_path_factory.mktemp("h") / "data", texts)
    data = export.csv_bytes(store, Filters(), bom=False).decode("utf-8")
    rows = _read(data)
    # csv normalises nothing inside quoted fields, so every text comes back exactly
    assert [_unneutralise(r["text"]) for r in rows] == [t if t is not None else "" for t in texts]


def test_cli_filters_bom_and_errors(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    d = tmp_path / "data"
    store = _lake(d, ["alpha", "beta =x", "gamma"])
    del store
    out = tmp_path / "out.csv"
    assert export.main([str(out), "--data", str(d), "--bom", "--search", "BETA"]) == 0
    raw = out.read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf")
    rows = _read(raw.decode("utf-8-sig"))
    assert [r["text"] for r in rows] == ["beta =x"]
    assert "exported 1 mentions" in capsys.readouterr().err
    assert export.main([str(out), "--data", str(d), "--source", "reddit"]) == 0
    assert _read(out.read_text(encoding="utf-8")) == []
    assert export.main([str(out), "--data", str(d), "--since", "2026-02-02"]) == 0
    assert _read(out.read_text(encoding="utf-8")) == []
    assert export.main([str(out), "--data", str(d), "--criticism"]) == 0  # nothing tagged yet
    assert _read(out.read_text(encoding="utf-8")) == []
    assert export.main([str(out), "--data", str(d), "--no-criticism", "--lang", "en", "--entity", "Acme"]) == 0
    assert len(_read(out.read_text(encoding="utf-8"))) == 3
    assert export.main([str(out), "--data", str(d), "--since", "2026-03-01", "--until", "2026-02-01"]) == 1
    assert "Swap the two dates" in capsys.readouterr().err
    with pytest.raises(SystemExit) as exc:
        export.main([str(out), "--since", "yesterday"])
    assert exc.value.code == 2


def test_export_of_an_empty_lake_has_a_header(tmp_path: Path) -> None:
    out = tmp_path / "empty.csv"
    assert export.main([str(out), "--data", str(tmp_path / "none")]) == 0
    assert out.read_text(encoding="utf-8").strip() == ",".join(EXPORT_COLUMNS)


def test_transparency_html_is_standalone_and_escaped(tmp_path: Path) -> None:
    d = tmp_path / "data"
    _lake(d, ["<b>bold</b>", "plain"])
    store = Store(d)
    report = transparency(store, Filters(), "Acme <Evil> & Co", ["Acme"], [], [
        {"status": "answered", "at": T0.isoformat(), "who": "Jane Staff"},
    ], demo=True)
    page = export.transparency_html(report)
    assert page.startswith("<!doctype html>") and "Acme &lt;Evil&gt; &amp; Co" in page
    assert "<b>bold</b>" not in page and "Jane Staff" not in page  # aggregates only
    assert "answered: 1" in page and "Demo data" in page
    assert "<script" not in page and "http" not in page.split("<body>")[1]


def test_export_to_a_file_starts_again_when_the_lake_changes_under_it(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    d = tmp_path / "data"
    _lake(d, ["alpha", "beta", "gamma"])
    real = export.write_csv
    calls: list[int] = []

    def compacted_midway(store: Store, filters: Filters, out: io.TextIOBase, **kw: object) -> int:
        calls.append(1)
        if len(calls) == 1:
            out.write("half a file")
            raise duckdb.IOException('No files found that match the pattern "part-x.parquet"')
        return real(store, filters, out, **kw)

    monkeypatch.setattr(export, "write_csv", compacted_midway)
    monkeypatch.setattr(reads.time, "sleep", lambda s: None)
    out = tmp_path / "out.csv"
    assert export.main([str(out), "--data", str(d)]) == 0
    assert len(calls) == 2
    assert [r["text"] for r in _read(out.read_text(encoding="utf-8"))] == ["alpha", "beta", "gamma"]
    assert not [p for p in tmp_path.iterdir() if p.name.startswith(".tmp")]  # the first try left nothing
    # To standard output rows may already be out: a clear error instead of a retry.
    calls.clear()
    assert export.main(["-", "--data", str(d)]) == 1
    assert "output is incomplete" in capsys.readouterr().err
