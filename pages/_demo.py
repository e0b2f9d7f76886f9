"""Load the built-in demo into a data directory: the demo collector, then the analysis pass.

No Streamlit here: the dashboard passes a ``progress(fraction, message)`` callback.
"""

from __future__ import annotations

import importlib
import logging
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from earshot.context import Context
from storage.lock import write_lock

log = logging.getLogger(__name__)

Progress = Callable[[float, str], None]
EXPECTED_ITEMS = 6000  # roughly what the demo generates; only used to move the progress bar


@dataclass
class DemoResult:
    new: int
    tagged: int | None  # None: the analysis pass is not available, mentions stay untagged
    status: str


def analysis_pass() -> Callable[..., Any] | None:
    """``analysis.pipeline.run`` if the analysis pass is installed, else None."""
    try:
        module = importlib.import_module("analysis.pipeline")
    except ImportError as exc:
        log.warning("analysis pass not available (%s): demo mentions stay untagged", exc)
        return None
    return getattr(module, "run", None)


def load_demo(ctx: Context, progress: Progress | None = None, wait: float = 30.0) -> DemoResult:
    """Run the demo collector under the write lock, then the analysis pass (which takes the lock itself)."""
    from collectors import registry  # imported here: the collectors pull in every platform's client library
    from collectors.runner import RunReport, run_collector

    say = progress or (lambda fraction, message: None)
    cls = registry.get("demo")
    collector = cls(ctx.config, ctx.config.source("demo").model_copy(update={"enabled": True}))
    expected = int(getattr(collector, "expected_items", EXPECTED_ITEMS) or EXPECTED_ITEMS)

    def on_batch(report: RunReport) -> None:
        say(min(0.6, 0.6 * report.fetched / expected), f"Generating demo mentions: {report.fetched:,} so far")

    say(0.0, "Generating demo mentions")
    with write_lock(ctx.data_dir, wait=wait):
        report = run_collector(ctx, collector, progress=on_batch)
    run = analysis_pass()
    tagged = None
    if run is not None:
        say(0.65, f"Analysing {report.new:,} new mentions (language, sentiment, criticism, topics)")
        tagged = int(getattr(run(ctx, wait=wait), "tagged", 0))
    say(1.0, "Demo loaded")
    return DemoResult(new=report.new, tagged=tagged, status=report.status)
