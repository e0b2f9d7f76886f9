"""Command line: ``python -m collectors [run|import|demo|status|compact|remap|purge|forget|access] ...``.

Exit codes: 0 all sources succeeded; 1 some failed (the others' data is kept); 2 bad
config or arguments; 75 another run holds the lock (try again later).
"""

from __future__ import annotations

import argparse
import logging
import sys
from datetime import datetime
from pathlib import Path

from collectors import registry
from collectors.records import parse_time
from collectors.runner import run_collector
from earshot import cli
from earshot import log as elog
from earshot.cli import EXIT_BUSY  # noqa: F401 - part of this command's interface
from earshot.context import Context
from earshot.errors import ConfigError
from storage.lock import write_lock
from storage.schema import MENTIONS, RUNS, TAGS

log = logging.getLogger("collectors")
AUTO_COMPACT_FILES = 12  # a month with this many files is merged at the end of a run


def _since(value: str | None) -> datetime | None:
    if not value:
        return None
    try:
        return parse_time(value, "--since")
    except ValueError as exc:
        raise ConfigError(str(exc)) from None


def cmd_run(ctx: Context, args: argparse.Namespace) -> int:
    names = [args.source] if args.source else [
        n for n, s in ctx.config.sources.items() if s.enabled and n not in registry.ON_DEMAND
    ]
    if not names:
        raise ConfigError("no source is enabled.", "Set enabled: true under sources in the config.")
    collectors = [registry.get(n)(ctx.config, ctx.config.source(n)) for n in names]
    since = _since(args.since)
    if args.dry_run:
        for c in collectors:
            for line in c.plan(ctx.state.load(c.name), since):
                print(f"{c.name}: {line}")
        return 0
    failed = 0
    with write_lock(ctx.data_dir, wait=args.wait):
        for c in collectors:
            report = run_collector(ctx, c, since)
            failed += report.status == "failed" or report.status == "partial"
        auto_compact(ctx)
    return 1 if failed else 0


def auto_compact(ctx: Context) -> None:
    """Merge a month's files once cron runs have left many small ones. Caller holds the lock."""
    for table in (MENTIONS, RUNS):
        ctx.lake.compact(table, min_files=AUTO_COMPACT_FILES)


def cmd_import(ctx: Context, args: argparse.Namespace) -> int:
    cls = registry.get("import")
    settings = ctx.config.source("import").model_copy(update={"path": str(args.file), "source_name": args.source_name})
    collector = cls(ctx.config, settings)
    with write_lock(ctx.data_dir, wait=args.wait):
        report = run_collector(ctx, collector)
    for line in report.errors:
        print(f"skipped {line}", file=sys.stderr)
    print(f"imported {report.new} new, {report.duplicates} already present, {report.bad} bad rows skipped")
    return 1 if report.status == "failed" else 0


def cmd_demo(ctx: Context, args: argparse.Namespace) -> int:
    cls = registry.get("demo")
    settings = ctx.config.source("demo").model_copy(update={"enabled": True})
    with write_lock(ctx.data_dir, wait=args.wait):
        report = run_collector(ctx, cls(ctx.config, settings))
    print(f"demo: {report.new} new mentions, {report.duplicates} already present")
    return 0 if report.status == "ok" else 1


def cmd_compact(ctx: Context, args: argparse.Namespace) -> int:
    with write_lock(ctx.data_dir, wait=args.wait):
        for table in (MENTIONS, TAGS, RUNS):
            n = ctx.lake.compact(table)
            print(f"{table.name}: {n} files merged")
    return 0


def cmd_remap(ctx: Context, args: argparse.Namespace) -> int:
    from collectors.remap import remap

    with write_lock(ctx.data_dir, wait=args.wait):
        report = remap(ctx, args.source_name)
    print(f"{args.source_name}: {report.fetched} raw payloads re-mapped, {report.new} rows restored, "
          f"{report.duplicates} already present, {report.bad} bad")
    return 0 if report.status == "ok" else 1


def cmd_purge(ctx: Context, args: argparse.Namespace) -> int:
    from storage.retention import purge

    with write_lock(ctx.data_dir, wait=args.wait):
        report = purge(ctx, days=args.days)
    days = args.days if args.days is not None else ctx.config.privacy.retention_days
    print(f"purged everything older than {days} days")
    for line in report.lines():
        print(f"  {line}")
    return 0


def cmd_forget(ctx: Context, args: argparse.Namespace) -> int:
    from storage.retention import forget

    with write_lock(ctx.data_dir, wait=args.wait):
        report = forget(ctx, args.author)
    print("erased the author from every store; later runs will not collect them again")
    for line in report.lines():
        print(f"  {line}")
    return 0


def cmd_access(ctx: Context, args: argparse.Namespace) -> int:
    import json

    from storage.retention import access

    found = access(ctx, args.author)
    text = json.dumps(found, ensure_ascii=False, indent=2, default=str)
    if args.out:
        args.out.write_text(text + "\n", encoding="utf-8")
    else:
        print(text)
    print(f"{len(found['mentions'])} mentions, {len(found['raw_payloads'])} raw payloads, "
          f"{found['other_posts_naming_them']} other posts naming them", file=sys.stderr)
    return 0


def cmd_status(ctx: Context, args: argparse.Namespace) -> int:
    runs = ctx.lake.read(RUNS).to_pylist()
    if not runs:
        print("no runs yet")
        return 0
    runs.sort(key=lambda r: r["started_at"])
    last: dict[str, list[dict]] = {}
    for r in runs:
        last.setdefault(r["collector"], []).append(r)
    print(
        f"{'source':<12} {'started (UTC)':<17} {'status':<8} {'fetched':>8} {'new':>7} {'dup':>7} "
        f"{'bad':>5} {'waits':>5}  error"
    )
    for name in sorted(last):
        for r in last[name][-args.last:]:
            err = (r["errors"] or [""])[0][:60]
            print(
                f"{name:<12} {r['started_at']:%Y-%m-%d %H:%M} {r['status']:<8} {r['fetched']:>8} {r['new']:>7} "
                f"{r['duplicates']:>7} {r['bad']:>5} {r['rate_limit_waits']:>5}  {err}"
            )
    return 0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m collectors", description="Collect public mentions into the lake.")
    parser.add_argument("--config", type=Path, help="config file (default: EARSHOT_CONFIG or config/earshot.yaml)")
    parser.add_argument("--data", type=Path, help="data directory (default: EARSHOT_DATA_DIR or data/)")
    parser.add_argument("-v", "--verbose", action="store_true", help="log debug detail")
    parser.add_argument("--wait", type=float, default=60, help="seconds to wait for another run's lock (default 60)")
    sub = parser.add_subparsers(dest="cmd")
    p = sub.add_parser("run", help="collect from all enabled sources (the default)")
    for q in (parser, p):
        q.add_argument("--source", help="only this source")
        q.add_argument("--since", help="backfill from this date (ISO 8601) where the source allows")
        q.add_argument("--dry-run", action="store_true", help="print what would be fetched, fetch nothing")
    p = sub.add_parser("import", help="import a CSV or JSON Lines file")
    p.add_argument("file", type=Path)
    p.add_argument("--source-name", default=None, help="source for rows without one (default: import)")
    sub.add_parser("demo", help="load the built-in demo company's mentions")
    sub.add_parser("compact", help="merge small parquet files")
    p = sub.add_parser("remap", help="rebuild lake rows of a source from its stored raw payloads")
    p.add_argument("source_name", metavar="SOURCE", help="collector whose raw payloads to re-map, e.g. x or import")
    p = sub.add_parser("purge", help="delete everything older than privacy.retention_days (cron)")
    p.add_argument("--days", type=int, default=None, help="override privacy.retention_days for this purge")
    p = sub.add_parser("forget", help="erase one author (handle, id or anon: pseudonym) from every store")
    p.add_argument("author", metavar="AUTHOR", help="handle or id as the platform shows it, or its anon: pseudonym")
    p = sub.add_parser("access", help="everything stored about one author, as JSON (access requests)")
    p.add_argument("author", metavar="AUTHOR", help="handle or id as the platform shows it, or its anon: pseudonym")
    p.add_argument("-o", "--out", type=Path, help="write the JSON to this file instead of standard output")
    p = sub.add_parser("status", help="the last runs per source")
    p.add_argument("--last", type=int, default=3, help="runs per source to show")
    args = parser.parse_args(argv)
    elog.setup(args.verbose)
    handlers = {
        "import": cmd_import, "demo": cmd_demo, "compact": cmd_compact, "status": cmd_status,
        "remap": cmd_remap, "purge": cmd_purge, "forget": cmd_forget, "access": cmd_access,
    }
    return cli.run(lambda: handlers.get(args.cmd or "run", cmd_run)(Context.load(args.config, args.data), args))


if __name__ == "__main__":
    sys.exit(main())
