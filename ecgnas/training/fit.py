"""Training one beat classifier and scoring it on held-out beats.

The model is any :class:`torch.nn.Module` with
``forward(waveform (B, 1, L), rr (B, n_rr)) -> logits (B, n_classes)``, so a
hand-designed baseline and a candidate built from a search space train the same
way. A run that breaks returns a failed :class:`TrainResult` with the reason
instead of raising, so that a search can go on with the next candidate. Breaking
means a non-finite loss or logits, out of memory, or any other error raised by the
model, the optimizer or the device.
"""

from __future__ import annotations

import copy
import logging
import math
import time
from collections.abc import Callable

import numpy as np
import torch
from torch import nn

from ecgnas.data.aami import AAMI_CLASSES
from ecgnas.data.beatset import BeatSet
from ecgnas.data.dataset import Normalizer, class_weights, make_loader
from ecgnas.exceptions import ConfigError
from ecgnas.training.augment import BeatAugmenter
from ecgnas.training.config import TrainConfig
from ecgnas.training.device import resolve_device, run_settings, synchronize
from ecgnas.training.metrics import AamiMetrics, evaluate_predictions
from ecgnas.training.predict import NonFiniteOutputError, collect_logits
from ecgnas.training.result import EpochRecord, TrainResult
from ecgnas.training.subsample import subsample_normal
from ecgnas.training.weight_average import WeightAverage, refresh_batch_norm

logger = logging.getLogger(__name__)

ModelFactory = Callable[[], nn.Module]

STEP_LOG_INTERVAL_S = 30.0
"""Seconds between DEBUG progress lines inside a long epoch."""


class NonFiniteLossError(RuntimeError):
    """The training loss became NaN or infinite."""


def train_model(
    model: nn.Module | ModelFactory,
    train: BeatSet,
    validation: BeatSet,
    config: TrainConfig | None = None,
) -> TrainResult:
    """Train a beat classifier on ``train`` and score it on ``validation`` after every epoch.

    Inputs are standardised with a :class:`~ecgnas.data.dataset.Normalizer` fitted on
    all of ``train`` (before N-beat subsampling), so nothing about the validation
    patients reaches the model. On the CPU, two runs with the same seed, thread count
    and initial weights give bit-identical results.

    Args:
        model: The module to train in place, or a factory that builds it. A factory is
            called after seeding with ``config.seed``, so its initial weights depend on
            the seed; a module keeps the weights it has.
        train: Training beats.
        validation: Validation beats, from other patients.
        config: Settings; defaults to :class:`TrainConfig`.

    Returns:
        The run's figures. ``status`` is ``failed`` with a ``reason`` when the loss
        became non-finite or the model, the optimizer or the device raised an error.

    Raises:
        ConfigError: A beat set is empty, the two sets have different window lengths
            or RR features, or the device in ``config`` is not available. These are
            raised, not returned, because they concern the caller's input, not the model.
    """
    config = config or TrainConfig()
    _check_beat_sets(train, validation)
    device = resolve_device(config.device)
    use_amp = config.mixed_precision and device.type == "cuda"

    # Data: statistics from the whole training split, then the cheap-fidelity subsample.
    normalizer = Normalizer.fit(train)
    subset = subsample_normal(train, config.normal_fraction, np.random.default_rng(config.seed))
    if len(subset) < len(train):
        logger.info(
            "kept %d of %d training beats (normal_fraction %.3g)",
            len(subset),
            len(train),
            config.normal_fraction,
        )
    train_loader = make_loader(
        subset,
        normalizer,
        config.batch_size,
        shuffle=True,
        balanced=config.class_balance == "sampling",
        seed=config.seed,
    )
    validation_loader = make_loader(validation, normalizer, config.eval_batch_size)
    weights = (
        torch.as_tensor(class_weights(subset.labels, power=config.class_weight_power), dtype=torch.float32)
        if config.class_balance == "weights"
        else None
    )

    augmenter = BeatAugmenter(config)
    if augmenter.enabled:
        logger.info(
            "perturbing training beats: amplitude ±%g, shift up to %d samples, noise %g, RR noise %g",
            config.augment_scale,
            config.augment_shift,
            config.augment_noise,
            config.augment_rr_noise,
        )
    state = _RunState()
    with run_settings(device, config.seed, config.max_threads):
        threads = torch.get_num_threads()
        start = time.perf_counter()
        reason: str | None = None
        try:
            _run_epochs(
                model,
                train_loader,
                validation_loader,
                validation.labels,
                weights,
                augmenter,
                device,
                use_amp,
                config,
                state,
            )
            synchronize(device)
        except (NonFiniteLossError, NonFiniteOutputError) as error:
            reason = str(error)
            logger.warning("training failed: %s", reason)
        except Exception as error:
            # Any error of the model, the optimizer or the device ends this run only.
            reason = f"{type(error).__name__}: {_first_line(error)}"
            logger.warning("training failed: %s", reason, exc_info=True)
        if reason is not None:
            _release(device)
        device_seconds = time.perf_counter() - start

    return TrainResult(
        status="ok" if reason is None else "failed",
        reason=reason,
        epochs=tuple(state.records),
        best_epoch=state.best_epoch,
        final_metrics=state.final_metrics if reason is None else None,
        device_seconds=device_seconds,
        device=_device_name(device),
        threads=threads,
        mixed_precision=use_amp,
        parameter_count=state.parameter_count,
        train_beats=len(subset),
        steps_per_epoch=len(train_loader),
        normalizer=normalizer,
        config=config,
    )


class _RunState:
    """Progress of a run: epoch records, best epoch and model size, kept when a later epoch fails."""

    def __init__(self) -> None:
        self.records: list[EpochRecord] = []
        self.best_epoch: int | None = None
        self.final_metrics: AamiMetrics | None = None
        self.parameter_count = 0


def _run_epochs(
    model: nn.Module | ModelFactory,
    train_loader: torch.utils.data.DataLoader,
    validation_loader: torch.utils.data.DataLoader,
    validation_labels: np.ndarray,
    weights: torch.Tensor | None,
    augmenter: BeatAugmenter,
    device: torch.device,
    use_amp: bool,
    config: TrainConfig,
    state: _RunState,
) -> None:
    # Model, loss and optimizer.
    module = model if isinstance(model, nn.Module) else model()
    module.to(device)
    state.parameter_count = sum(p.numel() for p in module.parameters() if p.requires_grad)
    criterion = nn.CrossEntropyLoss(weight=None if weights is None else weights.to(device))
    optimizer = _make_optimizer(module, config)
    scheduler = _make_scheduler(optimizer, config, config.epochs * len(train_loader))
    best_score = -math.inf
    best_weights: dict[str, torch.Tensor] | None = None
    average = WeightAverage() if config.average_epochs else None
    run_start = time.perf_counter()

    for epoch in range(1, config.epochs + 1):
        epoch_start = time.perf_counter()

        # Training pass.
        module.train()
        loss_sum, beat_count = 0.0, 0
        last_log = epoch_start
        for step, (waveform, rr, labels) in enumerate(train_loader, start=1):
            waveform, rr, labels = waveform.to(device), rr.to(device), labels.to(device)
            if augmenter.enabled:
                waveform, rr = augmenter(waveform, rr)
            optimizer.zero_grad(set_to_none=True)
            with torch.autocast(device_type=device.type, dtype=torch.bfloat16, enabled=use_amp):
                logits = module(waveform, rr)  # (B, n_classes)
            _check_logit_shape(logits, waveform.shape[0])
            loss = criterion(logits.float(), labels)
            loss_value = float(loss.detach())
            if not math.isfinite(loss_value):
                raise NonFiniteLossError(
                    f"non-finite training loss ({loss_value}) at epoch {epoch}, step {step}; "
                    "lower the learning rate or check the model for unstable operations"
                )
            loss.backward()
            optimizer.step()
            if scheduler is not None:
                scheduler.step()
            loss_sum += loss_value * labels.shape[0]
            beat_count += labels.shape[0]
            if time.perf_counter() - last_log >= STEP_LOG_INTERVAL_S:
                last_log = time.perf_counter()
                logger.debug(
                    "epoch %d/%d: step %d/%d, mean loss %.4f",
                    epoch,
                    config.epochs,
                    step,
                    len(train_loader),
                    loss_sum / beat_count,
                )

        # The last epochs' weights are averaged; the last epoch's validation scores the mean.
        if average is not None and epoch > config.epochs - config.average_epochs:
            average.add(module)
            if epoch == config.epochs:
                average.apply_to(module)
                refresh_batch_norm(module, train_loader, device, use_amp)
                logger.info("averaged the weights of the last %d epochs", average.count)

        # Validation pass, after every epoch or only after the last.
        metrics = None
        if config.validate_every_epoch or epoch == config.epochs:
            logits, labels = collect_logits(module, validation_loader, device)
            metrics = evaluate_predictions(
                validation_labels, logits.argmax(dim=1).numpy(), AAMI_CLASSES, config.macro_classes
            )
        synchronize(device)
        record = EpochRecord(epoch, loss_sum / beat_count, metrics, time.perf_counter() - epoch_start)
        state.records.append(record)

        # Best epoch by validation macro-F1; an undefined (NaN) score never wins.
        if metrics is not None and metrics.macro_f1 > best_score:
            best_score = metrics.macro_f1
            state.best_epoch = epoch
            if config.restore_best:
                best_weights = copy.deepcopy(module.state_dict())
        _log_epoch(record, config.epochs, state.best_epoch, best_score, time.perf_counter() - run_start)

    # Final weights: the best epoch's on request, else the last epoch's.
    if config.restore_best and best_weights is not None and state.best_epoch is not None:
        module.load_state_dict(best_weights)
        state.final_metrics = state.records[state.best_epoch - 1].validation
    else:
        state.final_metrics = state.records[-1].validation


def _make_optimizer(module: nn.Module, config: TrainConfig) -> torch.optim.Optimizer:
    parameters = [p for p in module.parameters() if p.requires_grad]
    if config.optimizer == "adam":
        return torch.optim.Adam(parameters, lr=config.learning_rate, weight_decay=config.weight_decay)
    if config.optimizer == "adamw":
        return torch.optim.AdamW(parameters, lr=config.learning_rate, weight_decay=config.weight_decay)
    return torch.optim.SGD(
        parameters, lr=config.learning_rate, weight_decay=config.weight_decay, momentum=0.9, nesterov=True
    )


def _make_scheduler(
    optimizer: torch.optim.Optimizer, config: TrainConfig, total_steps: int
) -> torch.optim.lr_scheduler.LRScheduler | None:
    if config.lr_schedule == "constant":
        return None

    # Factor of the base rate before step ``step`` (0-based): 1 at the first step,
    # falling along half a cosine to 0 after the last.
    def factor(step: int) -> float:
        return 0.5 * (1.0 + math.cos(math.pi * min(step, total_steps) / total_steps))

    return torch.optim.lr_scheduler.LambdaLR(optimizer, factor)


def _check_logit_shape(logits: torch.Tensor, batch: int) -> None:
    expected = (batch, len(AAMI_CLASSES))
    if tuple(logits.shape) != expected:
        raise ValueError(
            f"model returned logits of shape {tuple(logits.shape)}, expected {expected}: one "
            f"score per AAMI class {list(AAMI_CLASSES)}"
        )


def _check_beat_sets(train: BeatSet, validation: BeatSet) -> None:
    for name, beats in (("train", train), ("validation", validation)):
        if len(beats) == 0:
            raise ConfigError(f"the {name} beat set is empty; select records that hold beats")
    if train.window != validation.window:
        raise ConfigError(
            f"train beats have {train.window} samples and validation beats {validation.window}; "
            "prepare both with the same PreprocessConfig"
        )
    if train.rr.shape[1] != validation.rr.shape[1]:
        raise ConfigError(
            f"train beats have {train.rr.shape[1]} RR features and validation beats "
            f"{validation.rr.shape[1]}; prepare both with the same PreprocessConfig"
        )


def _log_epoch(
    record: EpochRecord, epochs: int, best_epoch: int | None, best_score: float, elapsed: float
) -> None:
    remaining = elapsed / record.epoch * (epochs - record.epoch)
    if record.validation is None:
        logger.info(
            "epoch %d/%d: train loss %.4f, %.1f s, ETA %s",
            record.epoch,
            epochs,
            record.train_loss,
            record.seconds,
            _format_duration(remaining),
        )
        return
    logger.info(
        "epoch %d/%d: train loss %.4f, validation macro-F1 %.4f (best %.4f at epoch %s), %.1f s, ETA %s",
        record.epoch,
        epochs,
        record.train_loss,
        record.validation.macro_f1,
        best_score,
        best_epoch,
        record.seconds,
        _format_duration(remaining),
    )


def _format_duration(seconds: float) -> str:
    minutes, secs = divmod(round(seconds), 60)
    hours, minutes = divmod(minutes, 60)
    return f"{hours}h{minutes:02d}m{secs:02d}s" if hours else f"{minutes}m{secs:02d}s"


def _device_name(device: torch.device) -> str:
    if device.type == "cuda" and device.index is None:
        return f"cuda:{torch.cuda.current_device()}"
    return str(device)


def _first_line(error: BaseException) -> str:
    text = str(error).strip().splitlines()
    return text[0][:500] if text else "no message"


def _release(device: torch.device) -> None:
    # After an out-of-memory error the cached blocks would starve the next candidate.
    if device.type == "cuda":
        torch.cuda.empty_cache()
