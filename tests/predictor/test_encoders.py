"""Tests of the graph featurizer, the hard encoder and the soft encoder."""

import numpy as np
import torch

from ecgnas.predictor.config import EncoderConfig
from ecgnas.predictor.graphs import GraphFeaturizer, relabel
from ecgnas.predictor.hard_encoder import PathEncoder, hamming_distances, nearest_neighbours
from ecgnas.predictor.soft_encoder import SoftEncoder
from ecgnas.spaces.encodings import to_graph


def sorted_rows(matrix: torch.Tensor) -> list[list[float]]:
    return sorted(matrix.tolist())


def test_featurizer_matches_space_graph(space, labelled):
    featurizer = GraphFeaturizer(space)
    for arch, _ in labelled[:30]:
        fast, reference = featurizer.graph(arch), to_graph(arch, space)
        assert sorted_rows(fast.x) == sorted_rows(reference.x)
        assert fast.edge_index.shape == reference.edge_index.shape
        assert torch.equal(fast.global_features, reference.global_features)


def test_encoder_equal_on_fast_and_reference_graphs(space, labelled):
    featurizer = GraphFeaturizer(space)
    torch.manual_seed(0)
    encoder = SoftEncoder(featurizer.n_node_features, featurizer.n_global_features, EncoderConfig()).eval()
    from torch_geometric.data import Batch

    archs = [arch for arch, _ in labelled[:30]]
    fast = encoder(featurizer.batch(archs))
    reference = encoder(Batch.from_data_list([to_graph(arch, space) for arch in archs]))
    assert torch.allclose(fast, reference, atol=1e-5)


def test_relabel_keeps_embeddings(space, labelled):
    featurizer = GraphFeaturizer(space)
    torch.manual_seed(0)
    encoder = SoftEncoder(featurizer.n_node_features, featurizer.n_global_features, EncoderConfig()).eval()
    batch = featurizer.batch([arch for arch, _ in labelled[:30]])
    permuted = relabel(batch, torch.Generator().manual_seed(3))
    assert not torch.equal(permuted.x, batch.x)
    assert torch.allclose(encoder(permuted), encoder(batch), atol=1e-5)


def test_hamming_matches_xor(space, labelled):
    codes = PathEncoder(space).encode([arch for arch, _ in labelled[:20]])
    expected = (codes[:, None, :] != codes[None, :, :]).sum(axis=2)
    assert np.array_equal(hamming_distances(codes, codes), expected)


def test_nearest_neighbours_match_brute_force(space, labelled):
    codes = PathEncoder(space).encode([arch for arch, _ in labelled[:100]])
    found = nearest_neighbours(codes, k=4, chunk=17)
    distances = (codes[:, None, :] != codes[None, :, :]).sum(axis=2).astype(float)
    np.fill_diagonal(distances, np.inf)
    expected = np.sort(distances, axis=1)[:, :4]
    assert np.array_equal(np.take_along_axis(distances, found, axis=1), expected)
    assert not np.any(found == np.arange(100)[:, None])
