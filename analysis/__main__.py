"""Command line: ``python -m analysis [run|tag|themes|train|train-base|export|alerts] ...``.

- ``run`` (the default): tag every mention without a tag of the current analyzer version.
- ``tag IN -o OUT``: tag a CSV / JSON Lines file without touching the lake.
- ``themes``: discover themes in recent criticism (also after every ``run`` that tagged something).
- ``train``: fit a company-specific model on the team's corrections (used only when better).
- ``train-base``: rebuild the shipped models from the training data (needs the data sets).
- ``export`` and ``alerts``: handed to ``analysis.export`` and ``analysis.alerts``.

Exit codes: 0 ok; 1 failed; 2 bad config or arguments; 75 another run holds the lock.
"""

from __future__ import annotations

import argparse
import importlib
import logging
import sys
from pathlib import Path

from earshot import cli
from earshot import log as elog
from earshot.cli import EXIT_BUSY  # noqa: F401 - part of this command's interface
from earshot.context import Context

log = logging.getLogger("analysis")
DELEGATED = {"export": "analysis.export", "alerts": "analysis.alerts"}


def _delegate(name: str, argv: list[str]) -> int:
    module_name = DELEGATED[name]
    try:
        module = importlib.import_module(module_name)
    except ModuleNotFoundError as exc:
        if exc.name != module_name:
            raise
        print(f"error: `{name}` is not available in this installation ({module_name} is missing).", file=sys.stderr)
        return 2
    return int(module.main(argv) or 0)


def _refresh_rollups(ctx: Context) -> None:
    try:
        rollups = importlib.import_module("analysis.rollups")
    except ModuleNotFoundError as exc:
        if exc.name != "analysis.rollups":
            raise
        return
    rollups.refresh(ctx)


def cmd_run(ctx: Context, args: argparse.Namespace) -> int:
    from analysis import pipeline

    result = pipeline.run(ctx, batch=args.batch_size, wait=args.wait, workers=args.workers,
                          retag=args.retag)
    rate = result.tagged / result.seconds if result.seconds else 0.0
    print(f"tagged {result.tagged} mentions in {result.seconds:.1f}s ({rate:,.0f}/s)"
          + (f" (the sentiment model of {', '.join(result.retagged_for)} changed: every mention tagged again)"
             if result.retagged_for else "")
          + (f"; team corrections re-applied to {result.corrected} tagged mentions" if result.corrected else "")
          + (f"; withdrawn corrections undone in {result.restored} tag rows" if result.restored else "")
          + (f"; {result.pruned} tag rows of earlier analyzer versions dropped" if result.pruned else ""))
    if result.config_moved:
        print("note: entities, competitors, languages or topics changed since the earlier mentions were tagged; "
              "run `python -m analysis run --retag` to tag them again with the new settings")
    if result.tagged or result.corrected or result.restored:  # a (un)corrected criticism flag changes the themes
        from analysis import themes

        found = themes.run(ctx)
        log.info("%d discovered themes in recent criticism", len(found))
        _record_answers(ctx)
    _refresh_rollups(ctx)
    return 0


def _record_answers(ctx: Context) -> None:
    """Response tracking: threads of the ranking window that an own account answered become
    "answered" in the workflow store (decisions by people are never overridden)."""
    from datetime import UTC, datetime, timedelta

    from analysis import conversations, response
    from storage.workflow import WorkflowStore

    since = datetime.now(UTC) - timedelta(days=ctx.config.engagement.window_days)
    posts = conversations.load_mentions(ctx.lake, since=since)
    if posts.empty:
        return
    posts["thread"] = conversations.thread_keys(posts)
    written = response.apply(WorkflowStore(ctx.data_dir), conversations.summarize(posts))
    log.info("%d threads marked answered by an own reply", written)


def cmd_themes(ctx: Context, args: argparse.Namespace) -> int:
    from analysis import themes

    found = themes.run(ctx, days=args.days)
    if not found:
        print(f"no recurring theme in the criticism of the last {args.days} days")
    for t in found:
        print(f"{t.size:>6}  {t.label}  [{t.id}]")
    return 0


def cmd_tag(ctx: Context, args: argparse.Namespace) -> int:
    from analysis.tagfile import tag_file
    from analysis.tagger import Tagger

    result = tag_file(Tagger(ctx.config), args.input, args.output, args.text_column, args.own_column)
    for line in result.skipped:
        print(f"skipped {line}", file=sys.stderr)
    print(f"tagged {result.rows} rows into {args.output}; {len(result.skipped)} lines skipped")
    return 0


def cmd_train(ctx: Context, args: argparse.Namespace) -> int:
    from analysis import training

    return training.main_train(ctx, args)


def cmd_train_base(ctx: Context, args: argparse.Namespace) -> int:
    from analysis import training

    return training.main_train_base(args)


def _common(parser: argparse.ArgumentParser, suppress: bool = False) -> None:
    """Options accepted before and after the subcommand (after it, they override)."""
    d = {"default": argparse.SUPPRESS} if suppress else {}
    parser.add_argument("--config", type=Path, help="config file (default: EARSHOT_CONFIG or config/earshot.yaml)",
                        **({"default": None} | d))
    parser.add_argument("--data", type=Path, help="data directory (default: EARSHOT_DATA_DIR or data/)",
                        **({"default": None} | d))
    parser.add_argument("-v", "--verbose", action="store_true", help="log debug detail", **d)
    parser.add_argument("--wait", type=float, help="seconds to wait for another run's lock (default 60)",
                        **({"default": 60.0} | d))


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="python -m analysis", description="Tag mentions: language, sentiment, "
                                     "criticism with reasons, topics, intent.")
    _common(parser)
    parser.add_argument("--batch-size", type=int, default=50_000, help="mentions per batch (default 50000)")
    parser.add_argument("--workers", type=int, default=None, help="processes that tag (default: all cores)")
    parser.add_argument("--retag", action="store_true", help="tag everything again; the earlier tags stay in use until "
                        "it is done (a change of sentiment model does this by itself)")
    sub = parser.add_subparsers(dest="cmd")
    p = sub.add_parser("run", help="tag untagged mentions in the lake (the default)")
    _common(p, suppress=True)
    p.add_argument("--batch-size", type=int, default=argparse.SUPPRESS, help="mentions per batch (default 50000)")
    p.add_argument("--workers", type=int, default=argparse.SUPPRESS, help="processes that tag (default: all cores)")
    p.add_argument("--retag", action="store_true", default=argparse.SUPPRESS,
                   help="tag everything again; the earlier tags stay in use until it is done")
    p = sub.add_parser("tag", help="tag a CSV or JSON Lines file without touching the lake")
    _common(p, suppress=True)
    p.add_argument("input", type=Path, help="CSV or JSON Lines (.jsonl) file")
    p.add_argument("-o", "--output", type=Path, required=True, help="where to write (CSV, or .jsonl)")
    p.add_argument("--text-column", default="text", help="column holding the text (default: text)")
    p.add_argument("--own-column", default=None,
                   help="column marking the company's own posts (true/false, 1/0, yes/no), never tagged as "
                        "criticism (default: is_own, when the file has it)")
    p = sub.add_parser("themes", help="discover themes in recent criticism (also done after each run)")
    _common(p, suppress=True)
    p.add_argument("--days", type=int, default=14, help="how many days back (default 14)")
    p = sub.add_parser("train", help="fit a company-specific sentiment model on the team's corrections")
    _common(p, suppress=True)
    p.add_argument("--folds", type=int, default=5, help="cross-validation folds (default 5)")
    p = sub.add_parser("train-base", help="rebuild the shipped models from the training data sets")
    _common(p, suppress=True)
    p.add_argument("--data-root", type=Path, default=Path("/work/shared/data/train"),
                   help="folder with the training data sets (see docs/analysis.md)")
    p.add_argument("--held-out", type=Path, default=None,
                   help="folder of evaluation CSVs whose texts never train (default: 'dev' beside --data-root)")
    p.add_argument("--lang", action="append", choices=["en", "de"], default=None,
                   help="rebuild only this language's model (repeatable; default: all)")
    sub.add_parser("export", help="export mentions with tags as CSV (see: python -m analysis export --help)")
    sub.add_parser("alerts", help="alerting (see: python -m analysis alerts --help)")
    return parser


def main(argv: list[str] | None = None) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    if argv and argv[0] in DELEGATED:
        return _delegate(argv[0], argv[1:])
    args = build_parser().parse_args(argv)
    elog.setup(args.verbose)
    handlers = {"tag": cmd_tag, "themes": cmd_themes, "train": cmd_train, "train-base": cmd_train_base}
    return cli.run(lambda: handlers.get(args.cmd or "run", cmd_run)(Context.load(args.config, args.data), args))


if __name__ == "__main__":
    sys.exit(main())
