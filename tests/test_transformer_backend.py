"""The optional transformer sentiment backend (analysis/transformer.py), on tiny models built here.

Each model is a 1-layer BERT with hidden size 16 and a WordPiece vocabulary of a few words,
saved with ``save_pretrained`` into tmp_path. Its classifier weights are zero and its bias is
set, so every text gets the same known logits: which class wins is decided by the test. No
network: the Hub is switched offline and models load from local files only.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

os.environ.setdefault("HF_HUB_OFFLINE", "1")  # before transformers is imported: no network, ever
os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")

# Not skipped when missing: requirements-dev.txt installs the extra (-r requirements-transformers.txt).
import numpy as np  # noqa: E402
import pytest  # noqa: E402
import torch  # noqa: E402
import yaml  # noqa: E402

from analysis import sentiment, transformer  # noqa: E402
from analysis.model import load_model  # noqa: E402
from analysis.tagger import Tagger  # noqa: E402
from earshot.config import EXAMPLE_CONFIG, ROOT, parse_config  # noqa: E402
from earshot.errors import ConfigError  # noqa: E402

WORDS = "the service is great bad ok thanks app down love it not good ich liebe die ist toll".split()
SPECIAL = ["[PAD]", "[UNK]", "[CLS]", "[SEP]", "[MASK]"]


def softmax(z: list[float]) -> np.ndarray:
    e = np.exp(np.asarray(z, dtype=np.float64) - max(z))
    return e / e.sum()


def build_model(folder: Path, id2label: dict[int, str], bias: list[float]) -> Path:
    """A tiny BERT sequence classifier whose logits are ``bias`` for every text."""
    from tokenizers import Tokenizer, models, normalizers, pre_tokenizers, processors
    from transformers import BertConfig, BertForSequenceClassification, PreTrainedTokenizerFast

    vocab = {w: i for i, w in enumerate([*SPECIAL, *WORDS])}
    tok = Tokenizer(models.WordPiece(vocab, unk_token="[UNK]"))
    tok.normalizer = normalizers.BertNormalizer(lowercase=True)
    tok.pre_tokenizer = pre_tokenizers.BertPreTokenizer()
    tok.post_processor = processors.TemplateProcessing(
        single="[CLS] $A [SEP]", special_tokens=[("[CLS]", vocab["[CLS]"]), ("[SEP]", vocab["[SEP]"])]
    )
    fast = PreTrainedTokenizerFast(
        tokenizer_object=tok, unk_token="[UNK]", pad_token="[PAD]", cls_token="[CLS]", sep_token="[SEP]",
        mask_token="[MASK]",
    )
    config = BertConfig(
        vocab_size=len(vocab), hidden_size=16, num_hidden_layers=1, num_attention_heads=2, intermediate_size=32,
        max_position_embeddings=32, id2label=id2label, label2id={v: k for k, v in id2label.items()},
    )
    torch.manual_seed(0)
    model = BertForSequenceClassification(config)
    with torch.no_grad():
        model.classifier.weight.zero_()
        model.classifier.bias.copy_(torch.tensor(bias, dtype=torch.float32))
    folder.mkdir(parents=True, exist_ok=True)
    model.save_pretrained(folder)
    fast.save_pretrained(folder)
    return folder


STANDARD = {0: "negative", 1: "neutral", 2: "positive"}


@pytest.fixture(scope="module")
def negative_model(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Says negative to everything (P = softmax([4, 0, 1]))."""
    return build_model(tmp_path_factory.mktemp("neg") / "model", STANDARD, [4.0, 0.0, 1.0])


def config_with(analysis: dict):  # noqa: ANN201 - earshot.config.Config
    data = yaml.safe_load(EXAMPLE_CONFIG.read_text(encoding="utf-8"))
    data["analysis"] = analysis
    return parse_config(data, EXAMPLE_CONFIG)


def test_load_and_proba_shape(negative_model: Path) -> None:
    model = transformer.load(negative_model)
    texts = ["the service is great", "", "ok", "bad " * 200]  # the last is longer than the model's 32 positions
    p = model.proba(texts)
    assert p.shape == (4, 3)
    assert np.allclose(p.sum(axis=1), 1.0)
    assert np.allclose(p, softmax([4.0, 0.0, 1.0]))
    assert model.proba([]).shape == (0, 3)
    assert model.max_length <= 30


def test_batches_give_the_same_answer(negative_model: Path) -> None:
    one = transformer.load(negative_model, batch_size=1)
    many = transformer.load(negative_model, batch_size=64)
    texts = ["the service is great", "love it", "not good", "die app ist down"]
    assert np.allclose(one.proba(texts), many.proba(texts), atol=1e-6)


@pytest.mark.parametrize(
    ("id2label", "bias", "winner"),
    [
        ({0: "positive", 1: "negative", 2: "neutral"}, [5.0, 0.0, 0.0], "positive"),
        ({0: "positive", 1: "negative", 2: "neutral"}, [0.0, 5.0, 0.0], "negative"),
        ({0: "positive", 1: "negative", 2: "neutral"}, [0.0, 0.0, 5.0], "neutral"),
        ({0: "NEUTRAL", 1: "Positive", 2: "negative"}, [0.0, 5.0, 0.0], "positive"),
        ({0: "NEG", 1: "NEU", 2: "POS"}, [0.0, 0.0, 5.0], "positive"),
        ({0: "LABEL_0", 1: "LABEL_1", 2: "LABEL_2"}, [5.0, 0.0, 0.0], "negative"),
        ({0: "LABEL_0", 1: "LABEL_1", 2: "LABEL_2"}, [0.0, 0.0, 5.0], "positive"),
    ],
)
def test_labels_are_mapped_onto_our_classes(tmp_path: Path, id2label: dict, bias: list[float], winner: str) -> None:
    model = transformer.load(build_model(tmp_path / "m", id2label, bias))
    p = model.proba(["the service is great", "not good"])
    assert [sentiment.LABELS[i] for i in p.argmax(axis=1)] == [winner, winner]
    expected = dict(zip(id2label.values(), softmax(bias), strict=True))
    ours = {"negative": ("negative", "neg", "label_0"), "neutral": ("neutral", "neu", "label_1"),
            "positive": ("positive", "pos", "label_2")}
    for col, cls in enumerate(sentiment.LABELS):
        (value,) = [v for k, v in expected.items() if k.lower() in ours[cls]]
        assert p[0, col] == pytest.approx(value, abs=1e-6)


@pytest.mark.parametrize(
    "id2label",
    [
        {0: "joy", 1: "anger", 2: "fear"},
        {0: "negative", 1: "negative", 2: "positive"},
        {0: "negative", 1: "positive"},
        {0: "LABEL_0", 1: "neutral", 2: "positive"},
    ],
)
def test_unmappable_labels_are_a_config_error(id2label: dict) -> None:
    with pytest.raises(ConfigError) as err:
        transformer.label_order(id2label)
    assert "cannot be mapped onto negative, neutral, positive" in str(err.value)
    assert "id2label" in err.value.hint
    assert err.value.exit_code == 2


def test_unmappable_model_fails_when_loaded(tmp_path: Path) -> None:
    folder = build_model(tmp_path / "emotions", {0: "joy", 1: "anger", 2: "fear"}, [0.0, 0.0, 0.0])
    with pytest.raises(ConfigError, match=r"'joy'.*cannot be mapped"):
        transformer.load(folder)


def test_missing_folder_says_what_to_do(tmp_path: Path) -> None:
    with pytest.raises(ConfigError) as err:
        transformer.load(tmp_path / "nowhere")
    assert "nowhere is not a folder" in str(err.value)
    assert "save_pretrained" in err.value.hint and "sentiment_backend: linear" in err.value.hint
    empty = tmp_path / "empty"
    empty.mkdir()
    with pytest.raises(ConfigError, match="cannot be loaded as a sequence-classification model"):
        transformer.load(empty)


def test_missing_packages_say_how_to_install(negative_model: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(sys.modules, "transformers", None)  # `import transformers` now raises ImportError
    with pytest.raises(ConfigError) as err:
        transformer.load(negative_model)
    assert "transformers is not installed" in str(err.value)
    assert "pip install -r requirements-transformers.txt" in err.value.hint


def test_config_keys_default_to_linear_and_are_checked() -> None:
    cfg = config_with({})
    assert cfg.analysis.sentiment_backend == "linear"
    assert not cfg.analysis.uses_transformer("en")
    with pytest.raises(ConfigError, match="transformer_model is empty"):
        config_with({"sentiment_backend": "transformer"})
    with pytest.raises(ConfigError, match="'fr', which is not under languages"):
        config_with({"sentiment_backend": "transformer", "transformer_model": "m", "transformer_languages": ["fr"]})
    with pytest.raises(ConfigError, match="analysis.sentiment_backend has a value that is not allowed"):
        config_with({"sentiment_backend": "bert"})
    cfg = config_with({"sentiment_backend": "transformer", "transformer_model": "models/xlmr"})
    assert cfg.analysis.transformer_path() == EXAMPLE_CONFIG.parent / "models" / "xlmr"
    assert cfg.analysis.uses_transformer("de") and cfg.analysis.uses_transformer("other")


def test_load_model_chooses_the_backend_per_language(negative_model: Path) -> None:
    settings = config_with({"sentiment_backend": "transformer", "transformer_model": str(negative_model),
                            "transformer_languages": ["en"]}).analysis
    en = load_model("en", None, settings)
    assert isinstance(en, transformer.TransformerModel)
    assert load_model("en", None, settings) is en  # loaded once per process
    assert load_model("de", None, settings) is load_model("de")  # German keeps the shipped linear model
    assert load_model("en", None, config_with({}).analysis) is load_model("en")


def test_tagger_end_to_end_uses_the_transformer_for_its_languages(negative_model: Path) -> None:
    cfg = config_with({"sentiment_backend": "transformer", "transformer_model": str(negative_model),
                       "transformer_languages": ["en"], "transformer_batch_size": 2})
    texts = [
        "I love the new LichtBox, works great, thanks!",
        "Wonderful service, really happy with it.",
        "The app is good, thank you so much",
        "Ich liebe die neue LichtBox, einfach super und toll!",
    ]
    linear = Tagger(config_with({})).tag(texts)
    assert linear["lang"] == ["en", "en", "en", "de"]
    assert linear["sentiment_label"] == ["positive"] * 4  # what the shipped models say
    out = Tagger(cfg).tag(texts)
    assert out["lang"] == linear["lang"]
    p = softmax([4.0, 0.0, 1.0])
    assert out["sentiment_label"][:3] == ["negative"] * 3  # the model's forced answer, not the linear one
    assert out["sentiment"][:3] == pytest.approx([p[2] - p[0]] * 3, abs=1e-6)
    assert out["sentiment_label"][3] == "positive" and out["sentiment"][3] == linear["sentiment"][3]  # de: linear
    scores, labels = sentiment.score(["love it"], ["en"], None, settings=cfg.analysis)
    assert labels == ["negative"] and scores[0] == pytest.approx(p[2] - p[0], abs=1e-6)


def test_forked_workers_score_with_the_loaded_model(negative_model: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from analysis import parallel

    monkeypatch.setattr(parallel, "MIN_PARALLEL", 4)
    monkeypatch.setattr(parallel, "CHUNK", 3)
    cfg = config_with({"sentiment_backend": "transformer", "transformer_model": str(negative_model),
                       "transformer_languages": ["en"]})
    tagger = Tagger(cfg)  # warmed (the model used once) in this process before the workers fork
    texts = ["I love the new LichtBox, works great, thanks!"] * 12
    with parallel.ParallelTagger(tagger, workers=2) as pt:
        out = pt.tag(texts, ["en"] * len(texts))
    assert set(out["sentiment_label"]) == {"negative"}


def test_importing_the_analysis_does_not_import_torch() -> None:
    code = (
        "import sys, analysis.sentiment, analysis.tagger, analysis.transformer, earshot.config; "
        "loaded = [m for m in ('torch', 'transformers', 'tokenizers') if m in sys.modules]; "
        "print(loaded); sys.exit(1 if loaded else 0)"
    )
    proc = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, timeout=120)
    assert proc.returncode == 0, proc.stdout + proc.stderr


def test_transformer_extra_is_pinned_and_never_the_default() -> None:
    extra = (ROOT / "requirements-transformers.txt").read_text(encoding="utf-8")
    pins = dict(line.split("==") for line in extra.splitlines() if "==" in line and not line.startswith("#"))
    assert pins["torch"] == "2.13.0" and "transformers" in pins
    runtime = (ROOT / "requirements.txt").read_text(encoding="utf-8").lower()
    assert "torch" not in runtime and "transformers" not in runtime
