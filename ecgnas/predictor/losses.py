"""Losses of both stages: InfoNCE for pre-training, ranking losses and MSE for fine-tuning.

Every ranking loss looks only at the order of the labels (``listnet`` also at
their standardised spacing), so the scale of a metric never matters.
"""

from __future__ import annotations

from collections.abc import Callable

import torch
import torch.nn.functional as F

from ecgnas.exceptions import ConfigError


def info_nce(embeddings: torch.Tensor, positives: torch.Tensor, temperature: float) -> torch.Tensor:
    """Multi-positive InfoNCE over one batch of views.

    For a view :math:`i` with positives :math:`P(i)` and cosine similarities
    :math:`s_{ik}`, the loss is the supervised-contrastive form of Khosla et
    al. (2020, https://arxiv.org/abs/2004.11362):

    .. math::

        \\ell_i = -\\frac{1}{|P(i)|} \\sum_{p \\in P(i)}
            \\log \\frac{\\exp(s_{ip} / \\tau)}{\\sum_{k \\ne i} \\exp(s_{ik} / \\tau)}

    averaged over views with at least one positive. Every view that is not a
    positive of :math:`i` is a negative.

    Args:
        embeddings: Shape ``(M, d)``, any norm; rows are L2-normalised here.
        positives: Boolean, shape ``(M, M)``, ``[i, p]`` true when view ``p``
            is a positive of ``i``. The diagonal is ignored.
        temperature: :math:`\\tau > 0`.

    Returns:
        Scalar loss.
    """
    z = F.normalize(embeddings, dim=1)
    logits = z @ z.T / temperature  # (M, M)
    self_mask = torch.eye(len(z), dtype=torch.bool, device=z.device)
    logits = logits.masked_fill(self_mask, float("-inf"))
    log_prob = logits - torch.logsumexp(logits, dim=1, keepdim=True)
    pos = positives & ~self_mask
    counts = pos.sum(1)
    has_positive = counts > 0
    per_view = -(log_prob.masked_fill(~pos, 0.0)).sum(1)[has_positive] / counts[has_positive]
    return per_view.mean()


def pairwise_logistic(scores: torch.Tensor, targets: torch.Tensor, temperature: float = 1.0) -> torch.Tensor:
    """Mean logistic loss over every pair whose targets differ (RankNet, Burges et al., 2005).

    .. math::

        \\ell = \\frac{1}{|\\{(i, j): y_i > y_j\\}|} \\sum_{y_i > y_j}
            \\log\\big(1 + \\exp(-(s_i - s_j)/\\tau)\\big)

    With :math:`\\tau = 1`, :math:`\\sigma(s_a - s_b)` estimates the probability
    that ``a`` is better than ``b``, which :meth:`prob_better` returns.

    Args:
        scores: Predicted scores, shape ``(n,)``.
        targets: Metrics, higher is better, shape ``(n,)``.
        temperature: Scale :math:`\\tau` of the score differences.
    """
    better = targets.unsqueeze(1) > targets.unsqueeze(0)  # (n, n), [i, j]: i beats j
    differences = (scores.unsqueeze(1) - scores.unsqueeze(0)) / temperature
    return F.softplus(-differences[better]).mean()


def listnet(scores: torch.Tensor, targets: torch.Tensor, temperature: float = 1.0) -> torch.Tensor:
    """Top-one ListNet cross-entropy (Cao et al., 2007).

    The target distribution is the softmax of the standardised targets over
    :math:`\\tau`, the predicted one the softmax of the scores over :math:`\\tau`.

    Args:
        scores: Predicted scores, shape ``(n,)``.
        targets: Metrics, higher is better, shape ``(n,)``.
        temperature: :math:`\\tau > 0`.
    """
    target_distribution = torch.softmax(_standardise(targets) / temperature, dim=0)
    return -(target_distribution * torch.log_softmax(scores / temperature, dim=0)).sum()


def contrastive_ranking(
    scores: torch.Tensor, targets: torch.Tensor, temperature: float = 1.0
) -> torch.Tensor:
    """InfoNCE in which each architecture is the positive against every worse one.

    With the labelled set sorted from best to worst, architecture :math:`i`
    must win a softmax over itself and every architecture ranked below it:

    .. math::

        \\ell = \\frac{1}{n-1} \\sum_{i=1}^{n-1} \\Big(-\\frac{s_{(i)}}{\\tau}
            + \\log \\sum_{k \\ge i} \\exp\\frac{s_{(k)}}{\\tau}\\Big)

    This is the Plackett-Luce likelihood of the true order (ListMLE, Xia et
    al., 2008) written as a chain of contrastive terms. Tied targets keep the
    order of a stable sort.

    Args:
        scores: Predicted scores, shape ``(n,)`` with ``n >= 2``.
        targets: Metrics, higher is better, shape ``(n,)``.
        temperature: :math:`\\tau > 0`.
    """
    order = torch.argsort(targets, descending=True, stable=True)
    ranked = scores[order] / temperature  # best first
    # logcumsumexp over the reversed list gives log sum_{k >= i} exp(s_k).
    tail = torch.logcumsumexp(ranked.flip(0), dim=0).flip(0)
    return (tail - ranked)[:-1].mean()


def mse(scores: torch.Tensor, targets: torch.Tensor, temperature: float = 1.0) -> torch.Tensor:
    """Mean squared error against the standardised targets (``temperature`` is unused)."""
    return F.mse_loss(scores, _standardise(targets))


def _standardise(values: torch.Tensor) -> torch.Tensor:
    spread = values.std(unbiased=False)
    return (values - values.mean()) / spread.clamp_min(1e-8)


FINETUNE_LOSSES: dict[str, Callable[[torch.Tensor, torch.Tensor, float], torch.Tensor]] = {
    "pairwise": pairwise_logistic,
    "listnet": listnet,
    "contrastive": contrastive_ranking,
    "mse": mse,
}


def finetune_loss(name: str) -> Callable[[torch.Tensor, torch.Tensor, float], torch.Tensor]:
    """Return the fine-tuning loss called ``name``.

    Raises:
        ConfigError: ``name`` is not a key of :data:`FINETUNE_LOSSES`.
    """
    if name not in FINETUNE_LOSSES:
        raise ConfigError(f"fine-tuning loss {name!r} is unknown; allowed values: {sorted(FINETUNE_LOSSES)}")
    return FINETUNE_LOSSES[name]
