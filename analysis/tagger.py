"""All taggers over one batch of texts: the pure function the pipeline and ``tag`` share.

``Tagger(config).tag(texts)`` returns the tag columns (lang, sentiment, sentiment_label,
criticism, criticism_reasons, topics, intent) for a list of texts, in order.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from analysis import criticism as crit
from analysis import cues, features, language, litotes, sentiment
from analysis import intent as intent_mod
from analysis.fastmatch import FastMatcher, MatcherGroup
from analysis.text import USER, Masker, clean
from analysis.topics import TopicMatcher
from earshot.config import Config

TAG_COLUMNS = ("lang", "sentiment", "sentiment_label", "criticism", "criticism_reasons", "topics", "intent")


@dataclass
class Tagger:
    """The configured taggers; build once, call ``tag`` per batch."""

    config: Config
    data_dir: Path | None = None  # where a company model may live (``<data>/models``)
    masker: Masker = field(init=False)
    topics: TopicMatcher = field(init=False)
    own: FastMatcher = field(init=False)
    rivals: FastMatcher = field(init=False)

    def __post_init__(self) -> None:
        self.masker = Masker.from_config(self.config)
        self.topics = TopicMatcher(self.config)
        self.own = FastMatcher(self.config.entities)
        self.rivals = FastMatcher(self.config.competitors)
        self.languages = tuple(self.config.languages)
        self._groups: dict[str, MatcherGroup] = {}

    def warm(self) -> None:
        """Load models and compile patterns now (before forking workers)."""
        self.tag(["Hafenlicht ist toll", "the service is not good", "ok"])

    def _names(self, lang: str) -> MatcherGroup:
        """Own entities, competitors (none if none are configured) and the language's topics, in one group."""
        group = self._groups.get(lang)
        if group is None:
            rivals = self.rivals if self.config.competitors else FastMatcher([])
            group = self._groups[lang] = MatcherGroup([self.own, rivals, self.topics.matcher(lang)])
        return group

    def target(self, text: str, lower: str, masked: str) -> crit.Target:
        own = self.own.match(text, lower)
        rivals = self.rivals.match(text, lower) if self.config.competitors else []
        return crit.Target(tuple(own), tuple(rivals), masked.lstrip().startswith(USER))

    def tag(
        self, texts: list[str], langs: list[str | None] | None = None, own: list[bool | None] | None = None,
    ) -> dict[str, list]:
        """Tag columns for ``texts``; ``langs`` (optional) are languages already known per text, ``own``
        (optional) whether each was posted by one of the company's own accounts.

        A post of the company's own is never criticism: an own reply often repeats the customer's trouble
        ("sorry your bill was wrong again, that is not ok") and reads as very negative to the models. Its
        criticism flag is False with no reasons, and its intent is the one it has without the flag; language,
        sentiment and topics are computed as for any text.

        A text that occurs more than once in the batch (with the same known language and owner) is tagged
        once."""
        texts = [clean(t) for t in texts]
        mine = [bool(o) for o in own] if own is not None and any(own) else None
        if langs is None and mine is None:
            keys: list = texts
        else:
            keys = list(zip(texts, langs or [None] * len(texts), mine or [False] * len(texts), strict=True))
        first: dict = {}
        order = [first.setdefault(k, len(first)) for k in keys]
        if len(first) == len(keys):
            return self._tag(texts, langs, mine)
        unique = list(first)
        if keys is texts:
            cols = self._tag(unique, None, None)
        else:
            cols = self._tag([k[0] for k in unique], [k[1] for k in unique] if langs is not None else None,
                             [k[2] for k in unique] if mine is not None else None)
        return {c: [list(v[i]) if isinstance(v[i], list) else v[i] for i in order] for c, v in cols.items()}

    def _tag(self, texts: list[str], langs: list[str | None] | None, own: list[bool] | None) -> dict[str, list]:
        with features.shared_tokens():  # the masked texts are tokenised once, for every tagger
            return self._tag_shared(texts, langs, own)

    def _tag_shared(self, texts: list[str], langs: list[str | None] | None, own: list[bool] | None) -> dict[str, list]:
        masked = [self.masker.mask(t) for t in texts]
        detected = language.detect(masked, self.languages)
        if langs is not None:
            detected = [
                given if given in self.languages else det for given, det in zip(langs, detected, strict=True)
            ]
        masked = [litotes.settle(m, lang) for m, lang in zip(masked, detected, strict=True)]
        scores, labels = sentiment.score(masked, detected, self.data_dir, settings=self.config.analysis)
        flags: list[bool] = []
        reasons: list[list[str]] = []
        intents: list[str] = []
        topics: list[list[str]] = []
        scanners = {lang: cues.scanner(lang) for lang in set(detected)}
        names = {lang: self._names(lang) for lang in set(detected)}  # own, rivals and topics at once
        mine = own or [False] * len(texts)
        scores = np.asarray(scores, dtype=np.float64).tolist()
        labels = list(labels)
        for i, (text, m, lang, s, label, by_us) in enumerate(
            zip(texts, masked, detected, scores, labels, mine, strict=True)
        ):
            ours, rivals, about = names[lang].match(text.lower())
            scan = scanners[lang].scan(m)  # one pass for the cues of both taggers
            if by_us:
                flag, why = False, []
            else:
                target = crit.Target(tuple(ours), tuple(rivals), m.lstrip().startswith(USER))
                flag, why = crit.judge(m, lang, float(s), target, label, scan)
                if flag and label == "positive" and crit.sarcastic(why, lang):
                    # "thanks for the 3h delay": the models read the praise; the post means the opposite.
                    labels[i], scores[i] = "negative", -abs(s)
                    why.append(crit.SARCASM_FLIP)
            flags.append(flag)
            reasons.append(why)
            intents.append(intent_mod.intent(m, lang, scores[i], flag, scan))
            topics.append(about)
        return {
            "lang": detected,
            "sentiment": scores,
            "sentiment_label": labels,
            "criticism": flags,
            "criticism_reasons": reasons,
            "topics": topics,
            "intent": intents,
        }
