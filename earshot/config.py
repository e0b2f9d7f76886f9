"""Load and validate ``config/earshot.yaml`` (or the file named by ``EARSHOT_CONFIG``).

The YAML is parsed into pydantic models; anything wrong becomes one ``ConfigError`` naming
the key, what is wrong and how to fix it. Secrets never live here: sources name the
environment variables that hold them.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any, Literal

import yaml
from pydantic import BaseModel, ConfigDict, Field, PrivateAttr, ValidationError, field_validator, model_validator

from earshot.errors import ConfigError

ROOT = Path(__file__).resolve().parent.parent
EXAMPLE_CONFIG = ROOT / "config" / "earshot.example.yaml"
USER_CONFIG = ROOT / "config" / "earshot.yaml"


# libyaml's safe loader reads the same documents about ten times faster (the dashboard reads the config on
# its first render); PyYAML built without libyaml has only the pure-Python one.
_YAML_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


class _Model(BaseModel):
    # Unknown keys are errors: a typo must not silently switch a setting off.
    model_config = ConfigDict(extra="forbid")


class Company(_Model):
    name: str = Field(min_length=1)
    website: str = ""
    demo: bool = False  # true only for the built-in fictional company


class Entity(_Model):
    name: str = Field(min_length=1)
    kind: Literal["company", "brand", "product", "competitor"] = "brand"
    terms: list[str] = Field(min_length=1)
    aliases: list[str] = []
    exclude: list[str] = []


class Topic(_Model):
    name: str = Field(min_length=1)
    keywords: dict[str, list[str]] = Field(min_length=1)
    team: str


class Team(_Model):
    name: str = Field(min_length=1)
    contact: str = ""
    guidelines: str = ""


class Privacy(_Model):
    # Keyed hash of author names and ids at ingest; the key is in EARSHOT_PSEUDONYM_KEY (earshot/privacy.py).
    pseudonymise_authors: bool = True
    # How raw payloads are kept: authors in clear, pseudonymised like the lake, or not at all.
    keep_raw: Literal["clear", "pseudonymised", "none"] = "pseudonymised"
    # `python -m collectors purge` deletes everything older than this many days.
    retention_days: int = Field(default=365, ge=1)
    # Staff accounts per source; their posts never enter the data directory.
    employee_accounts: dict[str, list[str]] = {}
    # exclude: staff posts are dropped; count_only: only daily counts per source and entity are kept.
    employee_posts: Literal["exclude", "count_only"] = "exclude"


class OpportunityWeights(_Model):
    # Relative weights of the opportunity score's signals (any non-negative numbers; they are normalised).
    criticism: float = Field(default=25, ge=0)
    open_question: float = Field(default=20, ge=0)
    unanswered: float = Field(default=15, ge=0)
    reach: float = Field(default=15, ge=0)
    engagement: float = Field(default=10, ge=0)
    velocity: float = Field(default=10, ge=0)
    topic_owned: float = Field(default=5, ge=0)
    risk: float = Field(default=10, ge=0)


class RiskSettings(_Model):
    high_reach: int = Field(default=10_000, ge=1)  # followers that make spreading likely
    medium_reach: int = Field(default=1_000, ge=1)
    high_velocity: float = Field(default=20, gt=0)  # interactions per hour that make spreading likely
    negativity: float = Field(default=-0.5, ge=-1, le=0)  # mean sentiment at or below this counts as very negative
    repeat_complaints: int = Field(default=3, ge=2)  # critical posts by one author that make a repeat complainer
    viral_team: str = "marketing"  # team to involve when a thread is high risk by its spread alone
    impact_teams: dict[str, str] = {
        "legal": "legal",
        "privacy": "legal",
        "safety": "legal",
        "discrimination": "hr",
        "employee": "hr",
        "press": "marketing",
    }

    @field_validator("impact_teams")
    @classmethod
    def _known_impacts(cls, value: dict[str, str]) -> dict[str, str]:
        kinds = ("legal", "privacy", "safety", "discrimination", "employee", "press")
        for kind in value:
            if kind not in kinds:
                raise ValueError(f"{kind!r} is not an impact kind: use {', '.join(kinds)}")
        return value


class Engagement(_Model):
    weights: OpportunityWeights = OpportunityWeights()
    reach_reference: int = Field(default=10_000, ge=1)  # followers that count as full reach
    engagement_reference: int = Field(default=100, ge=1)  # likes + replies + reposts that count as full engagement
    velocity_reference: float = Field(default=20, gt=0)  # interactions per hour that count as full velocity
    half_life_hours: float = Field(default=48, gt=0)  # the score halves for every this many hours of silence
    window_days: int = Field(default=14, ge=1)  # threads active in these last days are ranked
    risk: RiskSettings = RiskSettings()


class EmailAlerts(_Model):
    host: str = ""  # empty: no e-mail
    port: int = Field(default=587, ge=1, le=65535)
    starttls: bool = True
    username: str = ""
    password_env: str = "EARSHOT_SMTP_PASSWORD"
    sender: str = Field(default="", alias="from")
    to: list[str] = []


class Alerts(_Model):
    bucket: Literal["hour", "day"] = "day"
    baseline_buckets: int = Field(default=28, ge=3)
    p_value: float = Field(default=0.001, gt=0, lt=1)
    min_count: int = Field(default=5, ge=1)
    lookback_hours: int = Field(default=48, ge=1)
    cooldown_hours: int = Field(default=24, ge=0)  # a spike this soon after an alert on its topic is the same event
    webhook_url_env: str = "EARSHOT_ALERT_WEBHOOK_URL"
    email: EmailAlerts = EmailAlerts()


class Dashboard(_Model):
    # Who may open the dashboard (earshot/auth.py): nobody needs to log in | a shared password | OIDC login.
    auth: Literal["none", "password", "oidc"] = "none"
    # Environment variable with the shared password (or `dashboard_password` in .streamlit/secrets.toml).
    password_env: str = "EARSHOT_DASHBOARD_PASSWORD"
    # OIDC: the provider name under [auth.<name>] in secrets.toml; "" uses the [auth] section itself.
    oidc_provider: str = ""
    # OIDC: who may get in, by e-mail address or by domain; with auth: oidc at least one must be set.
    allowed_emails: list[str] = []
    allowed_domains: list[str] = []


class Analysis(_Model):
    # Which model scores sentiment: the shipped linear models (always the default) or a local
    # transformers sequence-classification model (optional extra: requirements-transformers.txt).
    sentiment_backend: Literal["linear", "transformer"] = "linear"
    # transformer: the model's folder (config.json, weights, tokenizer files); relative to the config file's folder.
    transformer_model: str = ""
    # transformer: the languages it scores ("other" allowed); empty: every language. The rest keep the linear models.
    transformer_languages: list[str] = []
    # transformer: texts per forward pass.
    transformer_batch_size: int = Field(default=32, ge=1, le=4096)
    # transformer: true lets transformer_model name a Hugging Face Hub model fetched over the network.
    transformer_allow_download: bool = False
    _base_dir: Path | None = PrivateAttr(default=None)  # the config file's folder (set by parse_config)

    @model_validator(mode="after")
    def _transformer_has_model(self) -> Analysis:
        if self.sentiment_backend == "transformer" and not self.transformer_model.strip():
            raise ValueError(
                "sentiment_backend is transformer but transformer_model is empty: set it to the model's folder, "
                "or use sentiment_backend: linear"
            )
        return self

    def uses_transformer(self, lang: str) -> bool:
        """Whether the transformer backend scores texts of ``lang``."""
        return self.sentiment_backend == "transformer" and (
            not self.transformer_languages or lang in self.transformer_languages
        )

    def transformer_path(self) -> Path:
        """``transformer_model`` as a path: absolute, or taken from the config file's folder."""
        path = Path(self.transformer_model).expanduser()
        return path if path.is_absolute() or self._base_dir is None else self._base_dir / path


class Source(_Model):
    # Each source keeps its own settings; the collector validates the ones it reads.
    model_config = ConfigDict(extra="allow")
    enabled: bool = False


class Config(_Model):
    company: Company
    entities: list[Entity] = Field(min_length=1)
    competitors: list[Entity] = []
    own_accounts: dict[str, list[str]] = {}
    languages: list[str] = Field(default=["de", "en"], min_length=1)
    sources: dict[str, Source] = {}
    topics: list[Topic] = []
    teams: list[Team] = []
    fallback_team: str = ""
    privacy: Privacy = Privacy()
    engagement: Engagement = Engagement()
    alerts: Alerts = Alerts()
    dashboard: Dashboard = Dashboard()
    analysis: Analysis = Analysis()
    path: Path | None = Field(default=None, exclude=True)

    @field_validator("languages")
    @classmethod
    def _iso_codes(cls, value: list[str]) -> list[str]:
        for code in value:
            if len(code) != 2 or not code.isalpha() or not code.islower():
                raise ValueError(f"{code!r} is not a two-letter ISO 639-1 code such as 'de' or 'en'")
        return value

    @model_validator(mode="after")
    def _teams_exist(self) -> Config:
        names = {t.name for t in self.teams}
        for i, topic in enumerate(self.topics):
            if names and topic.team not in names:
                raise ValueError(
                    f"topics[{i}] ({topic.name}) names team {topic.team!r}, which is not under teams: "
                    f"add it there or use one of {sorted(names)}"
                )
        risk_teams = {**self.engagement.risk.impact_teams, "viral_team": self.engagement.risk.viral_team}
        for kind, team in risk_teams.items():
            if names and team and team not in names:
                raise ValueError(
                    f"engagement.risk.impact_teams.{kind} names team {team!r}, which is not under teams: "
                    f"use one of {sorted(names)}"
                )
        if self.fallback_team and names and self.fallback_team not in names:
            raise ValueError(f"fallback_team {self.fallback_team!r} is not under teams: use one of {sorted(names)}")
        for lang in self.analysis.transformer_languages:
            if lang not in (*self.languages, "other"):
                raise ValueError(
                    f"analysis.transformer_languages names {lang!r}, which is not under languages: "
                    f"use some of {[*self.languages, 'other']}"
                )
        for entity in self.competitors:
            entity.kind = "competitor"
        return self

    @property
    def all_entities(self) -> list[Entity]:
        """The company's entities first, then the competitors, in config order."""
        return [*self.entities, *self.competitors]

    def source(self, name: str) -> Source:
        """Settings of one source; a disabled default when the file does not mention it."""
        return self.sources.get(name, Source())


def config_path() -> Path:
    """``EARSHOT_CONFIG`` if set, else ``config/earshot.yaml`` if present, else the demo example."""
    env = os.environ.get("EARSHOT_CONFIG")
    if env:
        return Path(env)
    return USER_CONFIG if USER_CONFIG.exists() else EXAMPLE_CONFIG


def data_dir() -> Path:
    """``EARSHOT_DATA_DIR`` if set, else ``data/`` beside the code."""
    return Path(os.environ.get("EARSHOT_DATA_DIR") or ROOT / "data")


def _where(loc: tuple[Any, ...]) -> str:
    out = ""
    for part in loc:
        out += f"[{part}]" if isinstance(part, int) else (f".{part}" if out else str(part))
    return out or "(top level)"


def _explain(err: dict[str, Any]) -> str:
    kind, msg = err["type"], err["msg"]
    if kind == "missing":
        return "is required but missing: add it (see config/earshot.example.yaml for its shape)"
    if kind == "extra_forbidden":
        return "is not a known setting: check its spelling against config/earshot.example.yaml"
    if kind == "too_short":
        return "must not be empty: list at least one item"
    if kind.startswith("literal_error"):
        return f"has a value that is not allowed: {msg.lower()}"
    return f"is wrong: {msg.removeprefix('Value error, ')}"


def parse_config(data: Any, path: Path | str = "<config>") -> Config:
    """Validate an already-parsed YAML document; raise one ``ConfigError`` on the first problem."""
    if not isinstance(data, dict):
        raise ConfigError(f"{path}: the file must be a YAML mapping (key: value), not {type(data).__name__}.")
    try:
        cfg = Config.model_validate(data)
    except ValidationError as exc:
        first = exc.errors()[0]
        more = len(exc.errors()) - 1
        extra = f" ({more} more problem{'s' if more > 1 else ''} after this one)" if more else ""
        raise ConfigError(f"{path}: {_where(first['loc'])} {_explain(first)}.{extra}") from None
    cfg.path = Path(path)
    cfg.analysis._base_dir = cfg.path.parent
    return cfg


def load_config(path: Path | str | None = None) -> Config:
    """Read and validate the config file; ``ConfigError`` (exit 2) says what to fix."""
    path = Path(path) if path else config_path()
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise ConfigError(
            f"{path}: no such config file.",
            "Copy config/earshot.example.yaml to config/earshot.yaml or set EARSHOT_CONFIG.",
        ) from None
    except (OSError, UnicodeDecodeError) as exc:
        raise ConfigError(f"{path}: cannot be read ({exc}).", "Save it as UTF-8 text.") from None
    try:
        data = yaml.load(text, Loader=_YAML_LOADER)  # noqa: S506 (a safe loader: libyaml's, else PyYAML's)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f" at line {mark.line + 1}, column {mark.column + 1}" if mark else ""
        raise ConfigError(f"{path}: not valid YAML{where}.", "Check indentation and quoting there.") from None
    return parse_config(data, path)
