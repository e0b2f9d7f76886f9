"""CSV exports of mentions with their tags: ``python -m analysis export OUT.csv [filters]``.

The same writer serves the dashboard's download buttons. Rows are streamed from DuckDB in
Arrow batches, so exporting a million rows never builds a million-row DataFrame. Cells are
made safe for spreadsheets: a text cell that starts with ``=``, ``+``, ``-``, ``@``, a tab or a
carriage return gets a leading apostrophe, so Excel/LibreOffice show it instead of running it.
Columns are ``storage.queries_rows.EXPORT_COLUMNS`` (documented in docs/dashboard.md).
"""

from __future__ import annotations

import argparse
import csv
import io
import logging
import sys
from collections.abc import Iterable
from datetime import date, datetime
from pathlib import Path
from typing import IO, Any

from earshot.errors import EarshotError, InputError, LakeError
from storage.files import atomic_path
from storage.queries import Filters, Store
from storage.queries_rows import EXPORT_COLUMNS, export_sql
from storage.reads import LAKE_CHANGED, retry_read

log = logging.getLogger(__name__)

DANGEROUS = ("=", "+", "-", "@", "\t", "\r")
BATCH_ROWS = 20_000
LIST_SEPARATOR = "; "


def neutralise(value: str) -> str:
    """Prefix a cell a spreadsheet would read as a formula with an apostrophe."""
    return "'" + value if value.startswith(DANGEROUS) else value


def cell(value: Any) -> Any:
    """One CSV cell: lists joined by "; ", timestamps in ISO 8601 UTC, booleans true/false, text neutralised."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, datetime):
        return value.isoformat().replace("+00:00", "Z")
    if isinstance(value, list | tuple):
        return neutralise(LIST_SEPARATOR.join("" if v is None else str(v) for v in value))
    if isinstance(value, str):
        return neutralise(value)
    return value


def write_rows(rows: Iterable[dict[str, Any]] | Iterable[list[Any]], out: IO[str], columns: list[str]) -> int:
    """Write a header and rows (dicts or lists in ``columns`` order) as safe CSV; returns the row count."""
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(columns)
    n = 0
    for row in rows:
        values = [row.get(c) for c in columns] if isinstance(row, dict) else row
        writer.writerow([cell(v) for v in values])
        n += 1
    return n


def write_csv(
    store: Store, filters: Filters, out: IO[str], batch_rows: int = BATCH_ROWS, limit: int | None = None
) -> int:
    """Stream every mention matching ``filters`` into ``out`` as CSV; returns the number of rows."""
    sql, params = export_sql(filters)
    if limit is not None:
        sql, params = sql + " LIMIT ?", [*params, limit]

    def rows() -> Iterable[list[Any]]:
        for batch in store.batches(sql, params, batch_rows):
            cols = [batch.column(c).to_pylist() for c in EXPORT_COLUMNS]
            yield from zip(*cols, strict=True)

    return write_rows(rows(), out, EXPORT_COLUMNS)


def csv_bytes(store: Store, filters: Filters, bom: bool = False, limit: int | None = None) -> bytes:
    """The CSV of ``filters`` as UTF-8 bytes (for download buttons; ``limit`` caps the rows); made again if a
    writer changes the lake meanwhile."""

    def build() -> str:
        buf = io.StringIO()
        write_csv(store, filters, buf, limit=limit)
        return buf.getvalue()

    return ("\ufeff" if bom else "").encode() + retry_read(build, "the mentions to export").encode("utf-8")


def _day(value: str) -> date:
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{value!r} is not a date: use YYYY-MM-DD, e.g. 2026-01-31") from None


def parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(
        prog="python -m analysis export",
        description="Export mentions with their tags as CSV (UTF-8), streamed; filters combine with AND.",
    )
    p.add_argument("out", help="output file, or - for standard output")
    p.add_argument("--since", type=_day, help="first day to include (YYYY-MM-DD, UTC)")
    p.add_argument("--until", type=_day, help="last day to include (YYYY-MM-DD, UTC)")
    p.add_argument("--entity", action="append", default=[], help="entity name (repeat for several)")
    p.add_argument("--source", action="append", default=[], help="source, e.g. reddit (repeat for several)")
    p.add_argument("--topic", action="append", default=[], help="topic name (repeat for several)")
    p.add_argument("--lang", action="append", default=[], help="language code, e.g. de (repeat for several)")
    p.add_argument(
        "--criticism", action=argparse.BooleanOptionalAction, default=None,
        help="only criticism (--criticism) or only non-criticism (--no-criticism); default: both",
    )
    p.add_argument("--search", default="", help="only mentions whose text or title contains this (any case)")
    p.add_argument("--bom", action="store_true", help="start the file with a UTF-8 byte-order mark (for Excel)")
    p.add_argument("--data", help="data directory (default: EARSHOT_DATA_DIR or data/)")
    return p


def main(argv: list[str] | None = None) -> int:
    """Run the export command; exit code 0 on success, the error's exit code otherwise."""
    args = parser().parse_args(argv)
    from earshot.config import data_dir

    try:
        if args.since and args.until and args.until < args.since:
            raise InputError(f"--until {args.until} is before --since {args.since}.", "Swap the two dates.")
        filters = Filters(
            since=args.since, until=args.until, entities=tuple(args.entity), sources=tuple(args.source),
            topics=tuple(args.topic), langs=tuple(args.lang), criticism=args.criticism, search=args.search,
        )
        folder = Path(args.data) if args.data else data_dir()
        if args.out == "-":
            out = io.TextIOWrapper(sys.stdout.buffer, encoding="utf-8", newline="", write_through=False)
            if args.bom:
                out.write("\ufeff")
            try:
                n = write_csv(Store(folder, facts=False), filters, out)
            except LAKE_CHANGED as exc:  # rows already went out: nothing to retry
                raise LakeError(f"the lake changed during the export ({str(exc).splitlines()[0]}); the output "
                                "is incomplete.", "Run it again, or export to a file (retried by itself).") from exc
            finally:
                out.flush()
                out.detach()  # standard output stays open for the error message
        else:
            target = Path(args.out)
            if target.parent and not target.parent.exists():
                raise InputError(f"{target.parent} does not exist.", "Create the folder or choose another path.")

            def export() -> int:  # the whole file again if a writer changes the lake meanwhile
                with atomic_path(target) as tmp, open(tmp, "w", encoding="utf-8", newline="") as out:
                    if args.bom:
                        out.write("\ufeff")
                    return write_csv(Store(folder, facts=False), filters, out)

            n = retry_read(export, "the mentions to export")
        print(f"exported {n} mentions to {args.out}", file=sys.stderr)
        return 0
    except EarshotError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return exc.exit_code


if __name__ == "__main__":
    raise SystemExit(main())


def _fmt_pct(value: float | None) -> str:
    return "–" if value is None else f"{value:.0%}"


def transparency_html(report: Any) -> str:
    """A standalone, publishable HTML page of a ``storage.queries_report.Report`` (no scripts, no external files).

    Only aggregates appear; every value is HTML-escaped.
    """
    from html import escape

    def e(value: Any) -> str:
        return escape("" if value is None else str(value), quote=True)

    period = f"{report.since} – {report.until}" if report.since and report.until else "all time"
    k, b = report.now, report.before
    hours = "–" if k.median_first_response_h is None else f"{k.median_first_response_h:.1f} hours"
    figures = [
        ("Mentions heard", f"{k.mentions:,}", f"{b.mentions:,}" if b else "–"),
        ("Critical mentions", f"{k.criticism:,}", f"{b.criticism:,}" if b else "–"),
        ("Share of criticism", _fmt_pct(k.criticism_share), _fmt_pct(b.criticism_share) if b else "–"),
        ("Criticism we answered", _fmt_pct(k.criticism_answered), _fmt_pct(b.criticism_answered) if b else "–"),
        ("Median time to our first answer", hours,
         "–" if not b or b.median_first_response_h is None else f"{b.median_first_response_h:.1f} hours"),
    ]
    rows = "".join(f"<tr><th>{e(a)}</th><td>{e(x)}</td><td>{e(y)}</td></tr>" for a, x, y in figures)
    theme_rows = "".join(
        f"<tr><td>{e(t.topic)}</td><td>{int(t.mentions):,}</td><td>{int(t.criticism):,}</td>"
        f"<td>{e(f'{int(t.change):+,}' if hasattr(t, 'change') else '–')}</td></tr>"
        for t in report.themes.itertuples(index=False)
    ) or "<tr><td colspan=4>No themes in this period.</td></tr>"
    did = "".join(f"<li>{e(s.replace('_', ' '))}: {n:,}</li>" for s, n in sorted(report.decisions.items()))
    sources = ", ".join(f"{e(s)} ({int(n):,})" for s, n in report.sources.itertuples(index=False)) or "none"
    gaps = "".join(f"<li>{e(g)}</li>" for g in report.gaps)
    demo = "<p class=demo>Demo data: this report describes a fictional company.</p>" if report.demo else ""
    return f"""<!doctype html>
<html lang="en"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'unsafe-inline'">
<title>{e(report.company)}: what we heard and what we did ({e(period)})</title>
<style>body{{font-family:system-ui,sans-serif;max-width:52rem;margin:2rem auto;padding:0 1rem;color:#222}}
table{{border-collapse:collapse;width:100%;margin:1rem 0}}th,td{{border-bottom:1px solid #ddd;padding:.4rem;
text-align:left}}.demo{{background:#fff4d6;padding:.6rem}}small{{color:#666}}</style></head><body>
{demo}<h1>{e(report.company)}: what we heard and what we did</h1>
<p>Period: {e(period)}. Public posts mentioning us, counted and classified automatically; no individual
post or author is shown.</p>
<h2>What we heard</h2>
<table><tr><th></th><th>this period</th><th>previous period</th></tr>{rows}</table>
<p>Sources: {sources}</p>
<h2>Themes</h2>
<table><tr><th>theme</th><th>mentions</th><th>critical</th><th>change</th></tr>{theme_rows}</table>
<h2>What we did</h2>
<ul>{did or "<li>No decisions recorded in this period.</li>"}</ul>
{"<h2>What we could not see</h2><ul>" + gaps + "</ul>" if gaps else ""}
<p><small>Made with Earshot. Criticism and sentiment are classified automatically and can be wrong.</small></p>
</body></html>
"""
