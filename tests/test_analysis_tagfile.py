"""`python -m analysis tag IN -o OUT`: any CSV or JSON Lines file, odd input included."""

from __future__ import annotations

import csv
import json
from pathlib import Path

import pytest

from analysis import __main__ as cli
from analysis.tagger import TAG_COLUMNS
from earshot.config import EXAMPLE_CONFIG


@pytest.fixture(autouse=True)
def _config(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setenv("EARSHOT_CONFIG", str(EXAMPLE_CONFIG))
    monkeypatch.setenv("EARSHOT_DATA_DIR", str(tmp_path / "data"))


def _read(path: Path) -> list[dict]:
    with open(path, encoding="utf-8", newline="") as fh:
        return list(csv.DictReader(fh))


def test_csv_with_odd_rows(tmp_path: Path, capsys: pytest.CaptureFixture) -> None:
    src = tmp_path / "in.csv"
    long_text = "Die Hafenlicht App ist kaputt. " * 1700  # about 50k characters
    rows = [
        ("1", ""),
        ("2", "😡😡😡"),
        ("3", long_text),
        ("4", "Hafenlicht ist super, but the app is broken again! Warum?"),
        ("5", "Line one\nline two, with a comma and \"quotes\""),
    ]
    with open(src, "w", encoding="utf-8", newline="") as fh:
        w = csv.writer(fh)
        w.writerow(["id", "text"])
        w.writerows(rows)
    dest = tmp_path / "out.csv"
    assert cli.main(["tag", str(src), "-o", str(dest)]) == 0
    out = _read(dest)
    assert [r["id"] for r in out] == ["1", "2", "3", "4", "5"]
    assert list(out[0]) == ["id", "text", *TAG_COLUMNS]
    assert out[4]["text"] == rows[4][1]  # the original text survives untouched
    assert out[0]["sentiment_label"] == "neutral" and out[0]["lang"] == "other"
    assert out[1]["sentiment_label"] == "negative"
    assert out[2]["lang"] == "de" and out[2]["criticism"] == "True"
    for r in out:
        assert -1.0 <= float(r["sentiment"]) <= 1.0
    assert "tagged 5 rows" in capsys.readouterr().out


def test_invalid_utf8_lines_are_reported_and_skipped(tmp_path: Path, capsys: pytest.CaptureFixture) -> None:
    src = tmp_path / "in.csv"
    src.write_bytes(b"id,text\n1,guter Service\n2,kaputt \xff\xfe hier\n3,great service\n")
    dest = tmp_path / "out.csv"
    assert cli.main(["tag", str(src), "-o", str(dest), "--text-column", "text"]) == 0
    assert [r["id"] for r in _read(dest)] == ["1", "3"]
    err = capsys.readouterr().err
    assert "line 3" in err and "UTF-8" in err


def test_jsonl_in_and_out_keeps_lists(tmp_path: Path, capsys: pytest.CaptureFixture) -> None:
    src = tmp_path / "in.jsonl"
    src.write_text(
        json.dumps({"body": "Meine Rechnung von Hafenlicht ist falsch!", "n": 1}) + "\n"
        + "not json\n"
        + json.dumps({"body": "Thanks Hafenlicht, great app", "n": 2}) + "\n",
        encoding="utf-8",
    )
    dest = tmp_path / "out.jsonl"
    assert cli.main(["tag", str(src), "-o", str(dest), "--text-column", "body"]) == 0
    out = [json.loads(line) for line in dest.read_text(encoding="utf-8").splitlines()]
    assert [o["n"] for o in out] == [1, 2]
    assert out[0]["topics"] == ["billing"] and isinstance(out[0]["criticism_reasons"], list)
    assert "line 2: not valid JSON" in capsys.readouterr().err


def test_missing_text_column_is_a_clear_error(tmp_path: Path, capsys: pytest.CaptureFixture) -> None:
    src = tmp_path / "in.csv"
    src.write_text("id,message\n1,hello\n", encoding="utf-8")
    assert cli.main(["tag", str(src), "-o", str(tmp_path / "o.csv")]) == 1
    err = capsys.readouterr().err
    assert "no column 'text'" in err and "--text-column" in err
    assert not (tmp_path / "o.csv").exists()


def test_line_numbers_are_the_files_after_a_skipped_line(tmp_path: Path, capsys: pytest.CaptureFixture) -> None:
    src = tmp_path / "in.jsonl"
    src.write_bytes(b'{"text": "ok"}\n{"text": "bad \xff"}\nnot json\n{"text": "fine"}\n')
    assert cli.main(["tag", str(src), "-o", str(tmp_path / "out.jsonl")]) == 0
    err = capsys.readouterr().err
    assert "line 2: not valid UTF-8" in err and "line 3: not valid JSON" in err


CRITICAL = "Hafenlicht has charged me twice and nobody answers. Terrible service."


def test_own_posts_in_a_csv_are_never_criticism(tmp_path: Path, capsys: pytest.CaptureFixture) -> None:
    src = tmp_path / "in.csv"
    values = ["true", "FALSE", "1", "0", "Yes", "no", "", " True ", "maybe", "2"]
    with open(src, "w", encoding="utf-8", newline="") as fh:
        w = csv.writer(fh)
        w.writerow(["id", "is_own", "text"])
        w.writerows([(str(i), v, CRITICAL) for i, v in enumerate(values)])
    dest = tmp_path / "out.csv"
    assert cli.main(["tag", str(src), "-o", str(dest)]) == 0
    out = _read(dest)
    assert [r["id"] for r in out] == [str(i) for i in range(8)]  # the unreadable values are skipped
    assert [r["criticism"] for r in out] == ["False", "True", "False", "True", "False", "True", "True", "False"]
    assert [r["is_own"] for r in out] == values[:8]  # passed through as given
    assert out[0]["criticism_reasons"] == "" and out[1]["criticism_reasons"]
    err = capsys.readouterr().err
    assert "line 10: is_own is 'maybe'" in err and "line 11: is_own is '2'" in err and "skipped" in err


def test_own_posts_in_json_lines_and_a_named_column(tmp_path: Path, capsys: pytest.CaptureFixture) -> None:
    src = tmp_path / "in.jsonl"
    rows = [{"n": 1, "mine": True}, {"n": 2, "mine": False}, {"n": 3, "mine": "yes"}, {"n": 4, "mine": None},
            {"n": 5}, {"n": 6, "mine": 1}, {"n": 7, "mine": [True]}, {"n": 8, "mine": "ja"}]
    src.write_text("".join(json.dumps({**r, "text": CRITICAL}) + "\n" for r in rows), encoding="utf-8")
    dest = tmp_path / "out.jsonl"
    assert cli.main(["tag", str(src), "-o", str(dest), "--own-column", "mine"]) == 0
    out = [json.loads(line) for line in dest.read_text(encoding="utf-8").splitlines()]
    assert [(o["n"], o["criticism"]) for o in out] == [(1, False), (2, True), (3, False), (4, True), (5, True),
                                                      (6, False)]
    err = capsys.readouterr().err
    assert "line 7: mine is [True]" in err and "line 8: mine is 'ja'" in err
    # without the option, "mine" means nothing and there is no is_own column: every row is someone else's
    assert cli.main(["tag", str(src), "-o", str(dest)]) == 0
    assert all(json.loads(line)["criticism"] for line in dest.read_text(encoding="utf-8").splitlines())


def test_a_named_own_column_must_exist(tmp_path: Path, capsys: pytest.CaptureFixture) -> None:
    src = tmp_path / "in.csv"
    src.write_text(f"id,text\n1,{CRITICAL}\n", encoding="utf-8")
    assert cli.main(["tag", str(src), "-o", str(tmp_path / "o.csv"), "--own-column", "mine"]) == 1
    err = capsys.readouterr().err
    assert "no column 'mine'" in err and "--own-column" in err
    assert not (tmp_path / "o.csv").exists()
