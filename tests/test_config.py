"""Config validation: the example loads; every kind of mistake gets one clear message and exit 2."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from earshot.config import EXAMPLE_CONFIG, ROOT, load_config, parse_config
from earshot.errors import ConfigError


def example() -> dict:
    return yaml.safe_load(EXAMPLE_CONFIG.read_text(encoding="utf-8"))


def test_example_config_loads() -> None:
    cfg = load_config(EXAMPLE_CONFIG)
    assert cfg.company.demo is True
    assert cfg.entities[0].kind == "company"
    assert all(c.kind == "competitor" for c in cfg.competitors)
    assert {t.team for t in cfg.topics} <= {t.name for t in cfg.teams}


@pytest.mark.parametrize(
    ("mutate", "needle"),
    [
        (lambda d: d.pop("company"), "company is required"),
        (lambda d: d["entities"][0].pop("terms"), "entities[0].terms is required"),
        (lambda d: d["entities"][0].update(terms=[]), "entities[0].terms must not be empty"),
        (lambda d: d.update(languages=["german"]), "'german' is not a two-letter"),
        (lambda d: d["privacy"].update(retention_days=0), "privacy.retention_days is wrong"),
        (lambda d: d["privacy"].update(keep_raw="sometimes"), "privacy.keep_raw has a value that is not allowed"),
        (lambda d: d.update(colour="blue"), "colour is not a known setting"),
        (lambda d: d["topics"][0].update(team="nobody"), "names team 'nobody'"),
        (lambda d: d["entities"][1].update(kind="planet"), "entities[1].kind"),
    ],
)
def test_bad_config_names_key_and_fix(mutate, needle: str) -> None:
    data = example()
    mutate(data)
    with pytest.raises(ConfigError) as err:
        parse_config(data, "cfg.yaml")
    assert needle in str(err.value)
    assert str(err.value).startswith("cfg.yaml: ")
    assert err.value.exit_code == 2


def test_yaml_syntax_error_has_line(tmp_path: Path) -> None:
    bad = tmp_path / "bad.yaml"
    bad.write_text("company:\n  name: [unclosed\n", encoding="utf-8")
    with pytest.raises(ConfigError, match=r"not valid YAML at line \d+"):
        load_config(bad)


def test_missing_file_says_how_to_fix(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="Copy config/earshot.example.yaml"):
        load_config(tmp_path / "nope.yaml")


def test_not_a_mapping() -> None:
    with pytest.raises(ConfigError, match="must be a YAML mapping"):
        parse_config(["a", "b"])


def test_bad_term_syntax_is_a_config_error() -> None:
    from collectors.matching import Matcher

    data = example()
    data["entities"][0]["terms"] = ['"unclosed phrase']
    cfg = parse_config(data)
    with pytest.raises(ConfigError, match="bad terms entry"):
        Matcher(cfg.all_entities)


def test_cli_exit_2_and_nothing_written(tmp_path: Path) -> None:
    bad = tmp_path / "bad.yaml"
    data = example()
    data["entities"] = []
    bad.write_text(yaml.safe_dump(data), encoding="utf-8")
    out = tmp_path / "data"
    proc = subprocess.run(
        [sys.executable, "-m", "collectors", "--config", str(bad), "--data", str(out), "demo"],
        cwd=ROOT, capture_output=True, text=True, timeout=120,
    )
    assert proc.returncode == 2
    lines = [line for line in proc.stderr.splitlines() if line.strip()]
    assert len(lines) == 1 and "entities must not be empty" in lines[0]
    assert not out.exists() or not any(out.rglob("*"))
