"""The analyzer version written on every tag row, and the version whose tags readers show.

Bump ``ANALYZER_VERSION`` when taggers change: the next ``python -m analysis`` tags every mention
again under the new version. Until that pass is complete, readers keep showing the tags of the
last completed pass (``shown_version``), so an upgrade never shows the lake as untagged.

``SHIPPED_MODELS_DIGEST`` is the digest of ``analysis/models`` that this version ships with; a
test fails when the models change without it (and a new version) changing too.
"""

from __future__ import annotations

import json
from pathlib import Path

ANALYZER_VERSION = "0.2.3"  # 0.2.3: understatements, "won't let me", praise after "seit ..."; 0.2.2: own posts
SHIPPED_MODELS_DIGEST = "ad8dea4f4c73c5a2"

TAGGER_FILE = Path("analysis") / "tagger.json"  # written by analysis.fingerprint after every completed pass


def shown_version(data_dir: Path) -> str:
    """The analyzer version of the last completed pass over ``data_dir`` (saved in its tagger file);
    ``ANALYZER_VERSION`` when no pass has completed yet or the file cannot be read."""
    try:
        doc = json.loads((Path(data_dir) / TAGGER_FILE).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return ANALYZER_VERSION
    version = doc.get("analyzer_version") if isinstance(doc, dict) else None
    return version if isinstance(version, str) and version else ANALYZER_VERSION
