"""Tag any CSV or JSON Lines file without touching the lake: ``python -m analysis tag IN -o OUT``.

The output has every input column plus ``lang, sentiment, sentiment_label, criticism,
criticism_reasons, topics, intent``. When the input has an ``is_own`` column (or the one named by
``own_column``), a row marked as the company's own post is never criticism, as in the pass over the
lake. Lines that are not valid UTF-8, JSON lines that do not parse and rows whose own-post value is
not a yes or no are reported with their line number and skipped; every other row is kept. In CSV
output list columns are joined with "; "; JSON Lines output keeps them as lists.
"""

from __future__ import annotations

import csv
import json
import logging
from dataclasses import dataclass, field
from pathlib import Path

from analysis.tagger import TAG_COLUMNS, Tagger
from earshot.errors import InputError
from storage.files import atomic_path

log = logging.getLogger(__name__)

CHUNK = 20_000
OWN_COLUMN = "is_own"  # used when present, unless another own-post column is named
YES, NO = ("true", "1", "yes"), ("false", "0", "no", "")  # own-post values, any case; empty: no
csv.field_size_limit(50_000_000)


@dataclass
class TagFileResult:
    rows: int = 0
    skipped: list[str] = field(default_factory=list)  # "line N: why"


def _is_jsonl(path: Path) -> bool:
    return path.suffix.lower() in (".jsonl", ".ndjson", ".json")


def _decode_lines(raw: bytes, result: TagFileResult) -> list[tuple[int, str]]:
    """Lines of the file as text with their line numbers, dropping (and reporting) those that are not valid UTF-8."""
    out: list[tuple[int, str]] = []
    if raw.startswith(b"\xef\xbb\xbf"):
        raw = raw[3:]
    for n, line in enumerate(raw.splitlines(keepends=True), start=1):
        try:
            out.append((n, line.decode("utf-8")))
        except UnicodeDecodeError as exc:
            result.skipped.append(f"line {n}: not valid UTF-8 (byte {exc.start}); the line was skipped")
    return out


def read_rows(path: Path, text_column: str, result: TagFileResult) -> tuple[list[str], list[tuple[int, dict]]]:
    """The columns and the rows of a CSV or JSON Lines file, each row with the number of the line it starts
    on in the file; bad lines are reported in ``result``."""
    try:
        raw = path.read_bytes()
    except OSError as exc:
        raise InputError(f"{path}: cannot be read ({exc.strerror}).", "Check the path and permissions.") from None
    lines = _decode_lines(raw, result)
    rows: list[tuple[int, dict]] = []
    columns: list[str] = []
    if _is_jsonl(path):
        for n, line in lines:
            if not line.strip():
                continue
            try:
                obj = json.loads(line)
            except json.JSONDecodeError as exc:
                result.skipped.append(f"line {n}: not valid JSON ({exc.msg}); the line was skipped")
                continue
            if not isinstance(obj, dict):
                result.skipped.append(f"line {n}: not a JSON object; the line was skipped")
                continue
            for k in obj:
                if k not in columns:
                    columns.append(k)
            rows.append((n, obj))
    else:
        reader = csv.DictReader([text for _, text in lines])
        columns = list(reader.fieldnames or [])
        done = reader.line_num  # lines the reader has consumed: a record starts on the next one
        for r in reader:
            start = done
            while start < reader.line_num - 1 and not lines[start][1].strip():
                start += 1  # blank lines the reader passed over
            rows.append((lines[start][0], dict(r)))
            done = reader.line_num
    if text_column not in columns:
        raise InputError(
            f"{path}: there is no column {text_column!r} (columns: {', '.join(columns) or 'none'}).",
            "Name the text column with --text-column.",
        )
    return columns, rows


def parse_own(value: object) -> bool:
    """An own-post cell as a boolean: true/false, 1/0, yes/no (any case), JSON booleans; empty or null: False.
    Raises ``ValueError`` for anything else."""
    if value is None or isinstance(value, bool):
        return bool(value)
    if isinstance(value, int) and value in (0, 1):  # JSON numbers 0 and 1
        return bool(value)
    if isinstance(value, str) and value.strip().lower() in YES + NO:
        return value.strip().lower() in YES
    raise ValueError(value)


def _own_flags(rows: list[tuple[int, dict]], column: str, result: TagFileResult) -> list[tuple[dict, bool]]:
    """The rows with their own-post flag; a row whose value cannot be read is reported and left out."""
    out: list[tuple[dict, bool]] = []
    for n, row in rows:
        try:
            out.append((row, parse_own(row.get(column))))
        except ValueError:
            result.skipped.append(
                f"line {n}: {column} is {row.get(column)!r}, not true/false, 1/0 or yes/no; the line was skipped"
            )
    return out


def _cell(value: object) -> object:
    return "; ".join(str(v) for v in value) if isinstance(value, list) else value


def tag_file(
    tagger: Tagger, src: Path, dest: Path, text_column: str = "text", own_column: str | None = None
) -> TagFileResult:
    """Tag ``src`` into ``dest`` (written atomically; CSV unless ``dest`` ends in .jsonl).

    ``own_column`` names the column that marks the company's own posts (it must exist); None uses
    ``is_own`` when the file has it, and treats every row as someone else's post otherwise.
    """
    result = TagFileResult()
    columns, numbered = read_rows(src, text_column, result)
    if own_column is not None and own_column not in columns:
        raise InputError(
            f"{src}: there is no column {own_column!r} (columns: {', '.join(columns) or 'none'}).",
            "Name the column that marks the company's own posts with --own-column, or leave the option out.",
        )
    own_col = own_column or (OWN_COLUMN if OWN_COLUMN in columns else None)
    rows = _own_flags(numbered, own_col, result) if own_col else [(row, False) for _, row in numbered]
    out_columns = columns + [c for c in TAG_COLUMNS if c not in columns]
    with atomic_path(dest) as tmp, open(tmp, "w", encoding="utf-8", newline="") as fh:
        writer = None if _is_jsonl(dest) else csv.DictWriter(fh, out_columns, extrasaction="ignore")
        if writer:
            writer.writeheader()
        for start in range(0, len(rows), CHUNK):
            chunk = [row for row, _ in rows[start : start + CHUNK]]
            own = [mine for _, mine in rows[start : start + CHUNK]] if own_col else None
            tags = tagger.tag([r.get(text_column) or "" for r in chunk], own=own)
            for i, row in enumerate(chunk):
                row.update({c: tags[c][i] for c in TAG_COLUMNS})
                if writer:
                    writer.writerow({k: _cell(row.get(k)) for k in out_columns})
                else:
                    fh.write(json.dumps(row, ensure_ascii=False, default=str) + "\n")
            result.rows += len(chunk)
    return result
