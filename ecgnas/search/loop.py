"""The search loop: ask the strategy, evaluate within the budget, record, tell."""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from dataclasses import replace

from ecgnas.search.budget import Budget
from ecgnas.search.checkpoint import Checkpoint, ReplayEvaluator
from ecgnas.search.evaluator import Evaluator
from ecgnas.search.executor import Executor, LocalExecutor
from ecgnas.search.history import History
from ecgnas.search.result import EvaluationResult
from ecgnas.search.strategy import Strategy

logger = logging.getLogger(__name__)


def run_search(
    strategy: Strategy,
    evaluator: Evaluator,
    budget: Budget,
    executor: Executor | None = None,
    checkpoint: Checkpoint | None = None,
    on_result: Callable[[EvaluationResult, History], None] | None = None,
) -> History:
    """Run ``strategy`` until ``budget`` is spent or the strategy has nothing to propose.

    No evaluation starts once the budget is spent. The strategy's own time
    (predictor fitting) counts towards the cost limit: it is added to the cost of
    the first result of the batch it proposed, so checkpoints record it too. With a count limit the
    search evaluates exactly that many architectures, unless the strategy runs
    out of proposals. With a cost limit, the total passes it by at most the cost
    of the evaluations in flight when it is reached. No architecture is
    evaluated twice (isomorphic cells count as the same).

    Args:
        strategy: Proposes what to evaluate.
        evaluator: Measures each architecture.
        budget: When to stop.
        executor: Runs each batch; defaults to one evaluation at a time in this process.
        checkpoint: When given, written after every evaluation; results it
            already contains are replayed instead of evaluated again (see
            :mod:`ecgnas.search.checkpoint`).
        on_result: Called after every recorded evaluation, for tracking and progress.

    Returns:
        Every evaluation in the order it finished.
    """
    executor = executor or LocalExecutor()
    recorded = checkpoint.load() if checkpoint is not None else []
    replay = None
    if recorded:
        logger.info("Resuming from %s: replaying %d recorded evaluations", checkpoint.path, len(recorded))
        replay = evaluator = ReplayEvaluator(evaluator, recorded)

    history = History()
    started = time.perf_counter()
    overhead = 0.0  # Strategy seconds not yet added to a result.

    def may_start() -> bool:
        return not budget.exhausted(len(history), history.cost_seconds + overhead)

    while may_start():
        proposals = strategy.ask(history, budget.remaining_evaluations(len(history)))
        batch, taken = [], set()
        for arch in proposals:
            if arch in history or arch in taken:
                logger.warning("Strategy %s proposed %s twice; skipping it", strategy.name, arch.to_string())
                continue
            taken.add(arch)
            batch.append(arch)
        remaining = budget.remaining_evaluations(len(history))
        if remaining is not None:
            batch = batch[:remaining]
        if not batch:
            logger.info("Strategy %s has no new architecture to propose; stopping", strategy.name)
            break

        overhead += strategy.take_overhead_seconds()
        finished = []
        for result in executor.run(evaluator, batch, may_start):
            if overhead:
                # A replayed result already carries the overhead of the interrupted run.
                if replay is None or not replay.is_replayed(result):
                    result = replace(
                        result,
                        cost_seconds=result.cost_seconds + overhead,
                        info={**result.info, "strategy_seconds": overhead},
                    )
                overhead = 0.0
            history.add(result)
            finished.append(result)
            if checkpoint is not None:
                checkpoint.save(history)
            _log_progress(result, history, budget, started)
            if on_result is not None:
                on_result(result, history)
        strategy.tell(finished, history)

    # The strategy's own time may have spent the budget before its last proposals could start.
    if overhead:
        history.add_unattached_cost(overhead)
    if budget.exhausted(len(history), history.cost_seconds):
        limits = []
        if budget.max_evaluations is not None:
            limits.append(f"{len(history)} of {budget.max_evaluations} evaluations")
        if budget.max_cost_seconds is not None:
            limits.append(f"{history.cost_seconds:.0f} of {budget.max_cost_seconds:.0f} s of device time")
        logger.info("Budget spent (%s); stopping", ", ".join(limits))
    return history


def _log_progress(result: EvaluationResult, history: History, budget: Budget, started: float) -> None:
    best = history.best()
    best_text = f"{best.metric:.4f}" if best is not None else "none"
    # The share of the budget used is the larger of the count and the device-time shares,
    # and the log line names which one it is.
    shares = []
    if budget.max_evaluations is not None:
        shares.append((len(history) / budget.max_evaluations, "evaluations"))
    if budget.max_cost_seconds is not None:
        shares.append((history.cost_seconds / budget.max_cost_seconds, "device time"))
    share, limit = max(shares)
    used = min(share, 1.0)
    elapsed = time.perf_counter() - started
    eta = elapsed / used * (1.0 - used) if used > 0 else float("nan")
    status = f"{result.metric:.4f}" if result.ok else f"failed ({result.reason})"
    logger.info(
        "Evaluation %d: %s -> %s; best %s; budget %.0f%% used (%s), ETA %.0f s",
        len(history),
        result.arch.to_string(),
        status,
        best_text,
        100.0 * used,
        limit,
        max(eta, 0.0),
    )
