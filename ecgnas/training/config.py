"""Settings of one training run, validated when the object is built."""

from __future__ import annotations

import math
import re
from dataclasses import dataclass, fields

from ecgnas.data.aami import AAMI_CLASSES
from ecgnas.exceptions import ConfigError
from ecgnas.training.metrics import MACRO_CLASSES

OPTIMIZERS: tuple[str, ...] = ("adam", "adamw", "sgd")
"""Optimizer names accepted by :class:`TrainConfig`."""

LR_SCHEDULES: tuple[str, ...] = ("constant", "cosine")
"""Learning-rate schedules accepted by :class:`TrainConfig`."""

CLASS_BALANCE_MODES: tuple[str, ...] = ("none", "weights", "sampling")
"""Ways to counter class imbalance: none, a class-weighted loss, or balanced sampling."""

DEVICE_PATTERN = re.compile(r"auto|cpu|cuda(:\d+)?")


@dataclass(frozen=True)
class TrainConfig:
    """Settings of one training run.

    Attributes:
        epochs: Passes over the (subsampled) training beats, at least 1.
        batch_size: Training beats per optimizer step, at least 1.
        eval_batch_size: Beats per forward pass during evaluation, at least 1.
        learning_rate: Step size of the optimizer, positive.
        weight_decay: L2 penalty (decoupled for ``adamw``), zero or positive.
        optimizer: One of :data:`OPTIMIZERS`; ``sgd`` uses Nesterov momentum 0.9.
        lr_schedule: One of :data:`LR_SCHEDULES`. ``cosine`` lowers the learning rate
            after every optimizer step along half a cosine, from ``learning_rate`` at
            the first step to zero after the last, so the last epoch's weights settle
            instead of moving with the last few batches.
        average_epochs: Number of last epochs whose end-of-epoch weights are averaged
            into the returned model, with batch-norm statistics measured again on the
            training beats (stochastic weight averaging, see
            :mod:`ecgnas.training.weight_average`); 0 keeps the last epoch's weights.
            At most ``epochs``; the last epoch's validation scores the average.
        class_balance: One of :data:`CLASS_BALANCE_MODES`. ``weights`` weights the loss by
            inverse class frequency of the training beats; ``sampling`` draws training beats
            so that every present class is equally likely.
        class_weight_power: Exponent of the inverse class frequency in the ``weights``
            mode, zero or positive: 1 weights each class by ``1 / n_c``, 0.5 by
            ``1 / sqrt(n_c)``, 0 equally. Below 1 the rare classes count less, so the
            model tends to predict them less often.
        normal_fraction: Share of the N-class training beats kept, in ``(0, 1]``; a value
            below 1 makes a run cheaper (lower fidelity). The kept beats are drawn once per
            run from ``seed``.
        augment_scale: Half-width of the random amplitude factor of each training
            beat, in ``[0, 1)``: 0.2 draws factors from 0.8 to 1.2; 0 switches it off.
        augment_shift: Largest random time shift of each training beat, in samples;
            0 switches it off.
        augment_noise: Standard deviation of the Gaussian noise added to every
            standardised training waveform sample; 0 switches it off.
        augment_rr_noise: Standard deviation of the Gaussian noise added to the
            standardised RR features of each training beat; 0 switches it off.
        seed: Seed of parameter initialisation (when a model factory is given), N-beat
            subsampling, shuffling and dropout, zero or positive.
        device: ``auto`` (CUDA when available, else CPU), ``cpu``, ``cuda`` or ``cuda:N``.
        mixed_precision: Whether to run forward passes in bfloat16 autocast on a CUDA
            device; ignored on the CPU, where training stays in float32.
        max_threads: CPU threads PyTorch may use during the run, or ``None`` to keep the
            process setting.
        restore_best: Whether to return the weights of the epoch with the best validation
            macro-F1 instead of those of the last epoch. Leave it off when the validation
            beats are the test beats, or the epoch choice leaks them into the model.
        macro_classes: Classes averaged by the validation macro-F1 that ranks epochs.
        validate_every_epoch: Whether to score the validation beats after every epoch;
            when false, only after the last one, which saves time when the validation
            set is large and no epoch is chosen (``restore_best`` needs every epoch).
    """

    epochs: int = 10
    batch_size: int = 128
    eval_batch_size: int = 1024
    learning_rate: float = 1e-3
    weight_decay: float = 0.0
    optimizer: str = "adam"
    lr_schedule: str = "constant"
    average_epochs: int = 0
    class_balance: str = "weights"
    class_weight_power: float = 1.0
    normal_fraction: float = 1.0
    augment_scale: float = 0.0
    augment_shift: int = 0
    augment_noise: float = 0.0
    augment_rr_noise: float = 0.0
    seed: int = 0
    device: str = "auto"
    mixed_precision: bool = True
    max_threads: int | None = None
    restore_best: bool = False
    macro_classes: tuple[str, ...] = MACRO_CLASSES
    validate_every_epoch: bool = True

    def __post_init__(self) -> None:
        for name in ("epochs", "batch_size", "eval_batch_size"):
            _check_int(name, getattr(self, name), minimum=1)
        _check_int("seed", self.seed, minimum=0)
        _check_int("average_epochs", self.average_epochs, minimum=0, hint="(0 keeps the last epoch)")
        if self.average_epochs > self.epochs:
            raise ConfigError(
                f"average_epochs ({self.average_epochs}) must not exceed epochs ({self.epochs}); "
                f"use at most {self.epochs}, or 0 to keep the last epoch"
            )
        _check_int("augment_shift", self.augment_shift, minimum=0, hint="(0 switches the shift off)")
        if self.max_threads is not None:
            _check_int("max_threads", self.max_threads, minimum=1, hint="or None to keep the process setting")

        _check_float("learning_rate", self.learning_rate, positive=True)
        _check_float("weight_decay", self.weight_decay, positive=False)
        _check_float("normal_fraction", self.normal_fraction, positive=True)
        _check_float("class_weight_power", self.class_weight_power, positive=False)
        for name in ("augment_scale", "augment_noise", "augment_rr_noise"):
            _check_float(name, getattr(self, name), positive=False)
        if self.augment_scale >= 1:
            raise ConfigError(
                f"augment_scale must be below 1, got {self.augment_scale!r}; a factor range reaching "
                "0 would erase beats (use 0.2 for factors from 0.8 to 1.2)"
            )
        if self.normal_fraction > 1:
            raise ConfigError(
                f"normal_fraction must be in (0, 1], got {self.normal_fraction!r}; use 1 to keep every N beat"
            )

        _check_choice("optimizer", self.optimizer, OPTIMIZERS)
        _check_choice("lr_schedule", self.lr_schedule, LR_SCHEDULES)
        _check_choice("class_balance", self.class_balance, CLASS_BALANCE_MODES)
        if not isinstance(self.device, str) or not DEVICE_PATTERN.fullmatch(self.device):
            raise ConfigError(f"device must be 'auto', 'cpu', 'cuda' or 'cuda:N', got {self.device!r}")
        for name in ("mixed_precision", "restore_best", "validate_every_epoch"):
            if not isinstance(getattr(self, name), bool):
                raise ConfigError(f"{name} must be True or False, got {getattr(self, name)!r}")

        if self.restore_best and not self.validate_every_epoch:
            raise ConfigError(
                "restore_best needs a validation score after every epoch; set validate_every_epoch=True "
                "or restore_best=False"
            )
        if self.restore_best and self.average_epochs:
            raise ConfigError(
                "restore_best keeps one epoch's weights and average_epochs averages several; "
                "set restore_best=False or average_epochs=0"
            )
        if isinstance(self.macro_classes, str) or not self.macro_classes:
            raise ConfigError(
                f"macro_classes must be a non-empty sequence of class names such as "
                f"{list(MACRO_CLASSES)}, got {self.macro_classes!r}"
            )
        unknown = [name for name in self.macro_classes if name not in AAMI_CLASSES]
        if unknown:
            raise ConfigError(
                f"macro_classes {self.macro_classes!r} names unknown classes {unknown}; choose "
                f"from {list(AAMI_CLASSES)}"
            )
        # A list from YAML becomes a tuple so that the config stays hashable.
        object.__setattr__(self, "macro_classes", tuple(self.macro_classes))

    @property
    def augments(self) -> bool:
        """Whether any training-beat perturbation is switched on."""
        return any(
            value > 0
            for value in (self.augment_scale, self.augment_shift, self.augment_noise, self.augment_rr_noise)
        )

    def as_dict(self) -> dict[str, object]:
        """Return the settings as plain values, for logging and tracking."""
        return {field.name: getattr(self, field.name) for field in fields(self)}


def _check_int(name: str, value: object, minimum: int, hint: str = "") -> None:
    # bool is an int subclass, but True epochs is a mistake, not a count.
    if not isinstance(value, int) or isinstance(value, bool) or value < minimum:
        suffix = f" {hint}" if hint else ""
        raise ConfigError(
            f"{name} must be an integer >= {minimum}, got {value!r}; pass a whole number{suffix}"
        )


def _check_float(name: str, value: object, positive: bool) -> None:
    bound = "> 0" if positive else ">= 0"
    valid = (
        isinstance(value, (int, float))
        and not isinstance(value, bool)
        and math.isfinite(value)
        and (value > 0 if positive else value >= 0)
    )
    if not valid:
        raise ConfigError(f"{name} must be a finite number {bound}, got {value!r}")


def _check_choice(name: str, value: object, allowed: tuple[str, ...]) -> None:
    if value not in allowed:
        raise ConfigError(f"{name} must be one of {list(allowed)}, got {value!r}")
