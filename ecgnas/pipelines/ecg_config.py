"""Configuration of an ECG architecture search, and the named presets."""

from __future__ import annotations

import dataclasses
import hashlib
import json
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from ecgnas.data.folds import is_fold_count
from ecgnas.data.rr import RR_FEATURES, check_rr_features
from ecgnas.data.splits import split_records
from ecgnas.exceptions import ConfigError
from ecgnas.predictor.config import EncoderConfig, FinetuneConfig, PredictorConfig, PretrainConfig
from ecgnas.search.predictor_evolution import EvolutionConfig
from ecgnas.training.config import TrainConfig

if TYPE_CHECKING:
    from ecgnas.data.preprocess import PreprocessConfig

METHODS: tuple[str, ...] = ("dcl", "npenas", "rea", "rs")
"""Search methods: dual-contrastive evolution, NPENAS-style evolution, regularized evolution,
random search."""

EXECUTORS: tuple[str, ...] = ("local", "ray")

FINAL_EPOCHS: tuple[str, ...] = ("holdout", "last", "average", "folds")
"""Epoch choices of final training: the best macro-F1 on the search-validation records of
DS1 (left out of training), the last epoch of training on all of DS1, the mean weights of
the last half of the epochs on all of DS1, or training on all of DS1 for the number of
epochs that scored best on record folds of DS1."""

DEFAULT_EPOCH_FOLDS = 3
"""Record folds of ``final_epochs="folds"`` when the search scores on holdout records."""

LATER_TRAINING_DEFAULTS = {
    name: TrainConfig.__dataclass_fields__[name].default
    for name in (
        "lr_schedule",
        "average_epochs",
        "class_weight_power",
        "augment_scale",
        "augment_shift",
        "augment_noise",
        "augment_rr_noise",
    )
}
"""TrainConfig settings added after searches were first checkpointed, with their defaults."""

FINAL_AUGMENTATION = {
    "augment_scale": 0.2,
    "augment_shift": 6,
    "augment_noise": 0.05,
    "augment_rr_noise": 0.05,
}
"""Training-beat perturbations that ``--augment`` switches on in final training: amplitude
0.8 to 1.2, shifts up to 6 samples (17 ms at 360 Hz), and noise of 5% of a standard
deviation on the standardised waveform and RR features. The presets leave them off:
on the quick preset they did not raise Kachuee's DS2 macro-F1 (66.1 against 66.3,
mean of 3 seeds)."""

FINAL_EPOCHS_TEXT = {
    "holdout": "on the search-train records of DS1, keeping the epoch with the best macro-F1 on the "
    "search-validation records (DS1 patients left out of training)",
    "last": "on all DS1 records for a fixed number of epochs, keeping the last one",
    "average": "on all DS1 records for a fixed number of epochs, keeping the mean of the weights "
    "after each epoch of the last half (stochastic weight averaging)",
    "folds": "on all DS1 records for the number of epochs with the best out-of-fold macro-F1 "
    "on record folds of DS1",
}
"""Report wording of each ``final_epochs`` setting."""


def scoring_text(folds: int | None) -> str:
    """Describe, in report wording, how a search with ``search_folds=folds`` scores candidates."""
    if folds is None:
        return "trained on the search-train records of DS1, scored on its search-validation records"
    return (
        f"trained {folds} times on {folds} record folds of DS1, scored on the out-of-fold "
        "predictions pooled over all DS1 records"
    )


@dataclass(frozen=True)
class EcgSearchConfig:
    """Everything that determines an ECG search and its final training.

    Attributes:
        name: Run name, also the MLflow experiment name unless ``experiment`` is set.
        seed: Seed of the strategy, the predictor and every training run.
        space: Built-in space name or path of a YAML declaration.
        method: One of :data:`METHODS`.
        budget_seconds: Device seconds for candidate training and predictor fitting.
        max_evaluations: Optional cap on the number of candidates.
        max_parameters: Maximum trainable parameters of a candidate, or ``None`` for no limit.
        max_macs: Maximum multiply-accumulates per beat of a candidate, or ``None`` for no limit.
        search_training: Training of each candidate (the search fidelity).
        search_folds: ``None`` to train candidates on the search-train records and score
            them on the search-validation records; an integer ``k >= 2`` to train each
            candidate ``k`` times on record folds of DS1 and score the pooled out-of-fold
            predictions (see :mod:`ecgnas.data.folds`), at ``k`` times the cost.
        final_training: Training of the top architectures on all of DS1.
        final_top_k: Architectures retrained after the search, by search-validation score.
        final_seeds: Training seeds of each retrained architecture.
        final_epochs: One of :data:`FINAL_EPOCHS`; baselines follow it too.
        rr_features: RR features given to every model, search candidates and final
            trainings alike (see :mod:`ecgnas.data.rr`).
        evolution: Round sizes of predictor-guided evolution (``dcl``, ``npenas``).
        population: Population of regularized evolution (``rea``).
        predictor: Predictor settings (``dcl`` pre-trains; ``npenas`` trains from scratch).
        executor: ``local`` or ``ray``.
        ray_address: Address of a Ray cluster, or ``None`` for a local instance.
        cpus_per_candidate: CPUs Ray reserves for each candidate.
        gpus_per_candidate: GPUs Ray reserves for each candidate.
        experiment: MLflow experiment name; defaults to ``name``.
    """

    name: str = "ecg-search"
    seed: int = 0
    space: str = "ecg1d"
    method: str = "dcl"
    budget_seconds: float = 1800.0
    max_evaluations: int | None = None
    max_parameters: int | None = None
    max_macs: int | None = None
    search_training: TrainConfig = field(default_factory=TrainConfig)
    search_folds: int | None = None
    final_training: TrainConfig = field(default_factory=TrainConfig)
    final_top_k: int = 3
    final_seeds: int = 2
    final_epochs: str = "holdout"
    rr_features: tuple[str, ...] = RR_FEATURES
    evolution: EvolutionConfig = field(default_factory=EvolutionConfig)
    population: int = 20
    predictor: PredictorConfig = field(default_factory=PredictorConfig)
    executor: str = "local"
    ray_address: str | None = None
    cpus_per_candidate: float = 1.0
    gpus_per_candidate: float = 0.0
    experiment: str | None = None

    def __post_init__(self) -> None:
        if self.method not in METHODS:
            raise ConfigError(f"method {self.method!r} is unknown; allowed values: {list(METHODS)}")
        if self.executor not in EXECUTORS:
            raise ConfigError(f"executor {self.executor!r} is unknown; allowed values: {list(EXECUTORS)}")
        if not self.budget_seconds > 0:
            raise ConfigError(
                f"budget must be positive, got {self.budget_seconds!r} s; for example --budget 30m"
            )
        if self.max_evaluations is not None and self.max_evaluations < 1:
            raise ConfigError(f"max_evaluations must be at least 1, got {self.max_evaluations!r}")
        for name, limit in (("max_parameters", self.max_parameters), ("max_macs", self.max_macs)):
            if limit is not None and (isinstance(limit, bool) or not isinstance(limit, int) or limit < 1):
                raise ConfigError(
                    f"{name} must be a positive integer or None (no limit), got {limit!r}; for example 60000"
                )
        n_records = len(split_records("DS1"))
        if self.search_folds is not None and not is_fold_count(self.search_folds, n_records):
            raise ConfigError(
                f"search_folds must be None (score on the search-validation records) or an integer from "
                f"2 to {n_records} (the DS1 records), got {self.search_folds!r}; for example 3"
            )
        if self.final_top_k < 1 or self.final_seeds < 1:
            raise ConfigError(
                f"final_top_k and final_seeds must be at least 1, got {self.final_top_k!r} and "
                f"{self.final_seeds!r}"
            )
        if self.final_epochs not in FINAL_EPOCHS:
            raise ConfigError(
                f"final_epochs {self.final_epochs!r} is unknown; allowed values: {list(FINAL_EPOCHS)}"
            )
        if self.population < 2:
            raise ConfigError(f"population must be at least 2, got {self.population!r}")
        object.__setattr__(self, "rr_features", check_rr_features(self.rr_features))

    def to_dict(self) -> dict[str, Any]:
        """Return the configuration as JSON-serialisable data."""
        return json.loads(json.dumps(dataclasses.asdict(self), default=list))

    def fingerprint(self) -> str:
        """Return a hash of everything that changes which candidates the search evaluates.

        The executor and Ray settings are left out: they change where candidates
        run, not what a search finds, so a search may resume on another executor.
        """
        data = self.to_dict()
        for key in ("executor", "ray_address", "cpus_per_candidate", "gpus_per_candidate", "experiment"):
            data.pop(key)
        for key in ("search_training", "final_training"):
            data[key].pop("device")
        data["predictor"].pop("device")
        # Searches from before record folds existed resume with their own fingerprint.
        if data["search_folds"] is None:
            data.pop("search_folds")
        # So do searches from before size limits.
        for key in ("max_parameters", "max_macs"):
            if data[key] is None:
                data.pop(key)
        # So do searches from before the choice of RR features (which used all of them),
        # the learning-rate schedule and the augmentation.
        if tuple(data["rr_features"]) == RR_FEATURES:
            data.pop("rr_features")
        for key in ("search_training", "final_training"):
            for name, default in LATER_TRAINING_DEFAULTS.items():
                if data[key][name] == default:
                    data[key].pop(name)
        return hashlib.sha256(json.dumps(data, sort_keys=True).encode()).hexdigest()[:16]

    @property
    def preprocess(self) -> PreprocessConfig:
        """The preprocessing of every model's beats."""
        # Imported here because it loads SciPy, which the command-line parser must not.
        from ecgnas.data.preprocess import PreprocessConfig

        return PreprocessConfig(rr_features=self.rr_features)

    @property
    def epoch_folds(self) -> int:
        """The record folds that ``final_epochs="folds"`` chooses the epoch count on: the search's."""
        return self.search_folds or DEFAULT_EPOCH_FOLDS

    @property
    def experiment_name(self) -> str:
        """The MLflow experiment of this search."""
        return self.experiment or self.name


def preset(name: str) -> EcgSearchConfig:
    """Return the configuration of a named preset.

    ``smoke`` checks the whole pipeline in a few minutes on 2 CPU cores (the tests
    use it) on the small ``ecg1d-tiny`` space; its model is not meant to be good.
    ``quick`` is a real but small search of about 30 minutes on 2 CPU cores. ``full`` is sized for a GPU and
    follows the scale of published searches: hours of candidate training.

    Raises:
        ConfigError: Unknown preset name.
    """
    if name == "smoke":
        return EcgSearchConfig(
            name="ecg-smoke",
            space="ecg1d-tiny",
            budget_seconds=240.0,
            max_evaluations=6,
            search_training=TrainConfig(epochs=1, normal_fraction=0.05, batch_size=128),
            search_folds=2,
            final_training=TrainConfig(
                epochs=1, normal_fraction=0.1, batch_size=128, validate_every_epoch=False
            ),
            final_top_k=1,
            final_seeds=1,
            evolution=EvolutionConfig(
                initial=3, population=3, generations=2, offspring=6, infill=3, tournament=2
            ),
            predictor=PredictorConfig(
                encoder=EncoderConfig(hidden=32, layers=2, embedding=32),
                pretrain=PretrainConfig(n_archs=400, epochs=2, batch_size=64),
                finetune=FinetuneConfig(epochs=50),
            ),
        )
    if name == "quick":
        return EcgSearchConfig(
            name="ecg-quick",
            budget_seconds=1800.0,
            search_training=TrainConfig(
                epochs=2, normal_fraction=0.1, batch_size=128, validate_every_epoch=False
            ),
            # Candidates are scored on the five search-validation records. On 15 random architectures
            # at this fidelity, that score ranked DS2 macro-F1 with Spearman ρ 0.71 and the pooled
            # 3-fold score with ρ -0.09, at three times the cost (python -m benchmarks.search_scoring,
            # reports/benchmarks.md).
            search_folds=None,
            final_training=TrainConfig(epochs=6, normal_fraction=0.25, batch_size=128),
            final_top_k=2,
            # Two seeds of one model differed by 9 macro-F1 points on DS2; three narrow the mean.
            final_seeds=3,
            evolution=EvolutionConfig(initial=8, population=10, generations=4, offspring=20, infill=4),
            predictor=PredictorConfig(pretrain=PretrainConfig(n_archs=3000, epochs=8)),
        )
    if name == "full":
        return EcgSearchConfig(
            name="ecg-full",
            budget_seconds=8 * 3600.0,
            search_training=TrainConfig(epochs=15, normal_fraction=0.3, batch_size=256),
            # NOTE: holdout scoring was chosen at the quick preset's fidelity and is not measured
            # at this one.
            search_folds=None,
            final_training=TrainConfig(epochs=60, normal_fraction=1.0, batch_size=256),
            final_top_k=5,
            final_seeds=3,
            evolution=EvolutionConfig(initial=20, population=20, generations=5, offspring=30, infill=10),
            predictor=PredictorConfig(pretrain=PretrainConfig(n_archs=50_000, epochs=15)),
        )
    raise ConfigError(f"preset {name!r} is unknown; allowed values: ['smoke', 'quick', 'full']")
