"""Which sentiment models made the stored tags, so that a change of model re-tags by itself.

``ANALYZER_VERSION`` names the taggers' code; the models they load can change without it: a
company model accepted by ``python -m analysis train``, retrained shipped models, or a switch
of ``analysis.sentiment_backend`` to a transformer model. ``of(config, data_dir)`` describes the
model that scores each tagged language (a digest of its file, or of every file in the
transformer folder); the pipeline saves it to ``<data>/analysis/tagger.json`` after a pass
and, when the next pass finds a different one, tags every mention again.

It also records a digest of the settings the taggers read (entities, competitors, languages,
topics) as they were when every mention was last tagged. Those change often and by hand, so a
change there does not re-tag by itself: the pass says that earlier mentions carry tags of the
old settings (``config_moved``) until ``run --retag`` tags them again.
"""

from __future__ import annotations

import hashlib
import json
import logging
from functools import lru_cache
from pathlib import Path

from analysis.model import company_path, shipped_path
from analysis.version import ANALYZER_VERSION, TAGGER_FILE
from earshot.config import Config
from storage.files import write_atomic

log = logging.getLogger(__name__)



def path(data_dir: Path) -> Path:
    return Path(data_dir) / TAGGER_FILE


@lru_cache(maxsize=32)
def _digest(file: str, size: int, mtime: float) -> str:
    """First 16 hex digits of the SHA-256 of a file (cached while its size and time stay)."""
    h = hashlib.sha256()
    with open(file, "rb") as fh:
        for block in iter(lambda: fh.read(1 << 20), b""):
            h.update(block)
    return h.hexdigest()[:16]


def file_digest(file: Path) -> str:
    st = file.stat()
    return _digest(str(file), st.st_size, st.st_mtime)


def _known_digest(file: Path, earlier: dict, used: dict[str, list]) -> str:
    """The file's digest, taken from ``earlier`` (``{path: [size, mtime_ns, digest]}`` of the last pass) while
    its size and modification time are unchanged, else hashed; recorded in ``used`` either way."""
    st = file.stat()
    seen = earlier.get(str(file))
    if isinstance(seen, list) and len(seen) == 3 and seen[:2] == [st.st_size, st.st_mtime_ns]:
        digest = str(seen[2])
    else:
        digest = _digest(str(file), st.st_size, st.st_mtime)
    used[str(file)] = [st.st_size, st.st_mtime_ns, digest]
    return digest


def _transformer(config: Config, earlier: dict, used: dict[str, list]) -> str:
    """The transformer model: the digest of every file in its folder (weights are hashed only when their
    size or time changed since the last pass, see ``_known_digest``); the Hub id when it is not a local folder."""
    folder = config.analysis.transformer_path()
    if not folder.is_dir():
        return f"transformer:{config.analysis.transformer_model}"
    parts = [f"{p.name}={_known_digest(p, earlier, used)}" for p in sorted(folder.iterdir()) if p.is_file()]
    return "transformer:" + ",".join(parts)


def _linear(lang: str, data_dir: Path | None) -> str:
    base = shipped_path(lang)
    if not base.exists():
        return "rules"
    own = company_path(data_dir, lang) if data_dir is not None else None
    if own is not None and own.exists():
        return f"company:{file_digest(own)}+{file_digest(base)}"
    return f"shipped:{file_digest(base)}"


def config_digest(config: Config) -> str:
    """Digest of the settings the taggers read besides the models: entities, competitors, languages and
    the topic taxonomy (a change there changes the tags of mentions tagged from then on)."""
    doc = {k: config.model_dump(mode="json").get(k) for k in ("entities", "competitors", "languages", "topics")}
    return hashlib.sha256(json.dumps(doc, sort_keys=True).encode()).hexdigest()[:16]


def of(config: Config, data_dir: Path | None, version: str = ANALYZER_VERSION, before: dict | None = None) -> dict:
    """What scores sentiment for each language the taggers assign (the configured ones and "other"), for
    the tags of analyzer ``version``. ``before`` (the saved fingerprint) spares re-hashing unchanged
    transformer weights; the digests used are kept under ``"files"``."""
    langs = sorted({*config.languages, "other"})
    earlier = (before or {}).get("files")
    earlier = earlier if isinstance(earlier, dict) else {}
    used: dict[str, list] = {}
    models = {
        lang: _transformer(config, earlier, used) if config.analysis.uses_transformer(lang) else _linear(lang, data_dir)
        for lang in langs
    }
    return {"analyzer_version": version, "sentiment": models, "config": config_digest(config), "files": used}


def saved(data_dir: Path) -> dict | None:
    """The fingerprint of the last completed pass; None if none was saved (or it cannot be read)."""
    try:
        doc = json.loads(path(data_dir).read_text(encoding="utf-8"))
    except FileNotFoundError:
        return None
    except (OSError, ValueError) as exc:
        log.warning("%s cannot be read (%s); it is written again after this pass", path(data_dir), exc)
        return None
    return doc if isinstance(doc, dict) else None


def save(data_dir: Path, fingerprint: dict) -> None:
    write_atomic(path(data_dir), json.dumps(fingerprint, indent=1, sort_keys=True).encode())


def changed(before: dict | None, now: dict) -> list[str]:
    """The languages whose model differs between two fingerprints of the same analyzer version (none when
    there is nothing to compare: no earlier pass, or another version, which re-tags anyway)."""
    if not before or before.get("analyzer_version") != now["analyzer_version"]:
        return []
    old = before.get("sentiment") or {}
    return sorted(lang for lang, model in now["sentiment"].items() if old.get(lang, model) != model)


def config_moved(before: dict | None, now: dict) -> bool:
    """Whether the tags were made under other entities, competitors, languages or topics than ``now``
    has (``before["config"]``: the settings of the last pass that tagged every mention)."""
    return bool(before) and before.get("analyzer_version") == now["analyzer_version"] and before.get(
        "config", now["config"]) != now["config"]
