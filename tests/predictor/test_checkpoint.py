"""Tests of saving, loading and caching pre-trained encoders."""

import numpy as np
import pytest
import torch

from ecgnas.exceptions import DataNotFoundError
from ecgnas.predictor import EncoderMismatchError, GnnPredictor, load_encoder, load_or_pretrain, save_encoder
from ecgnas.predictor.checkpoint import checkpoint_name
from ecgnas.spaces import CellSpace
from tests.predictor.conftest import SMALL_ENCODER, SMALL_PRETRAIN, small_config


def test_round_trip_keeps_embeddings(space, labelled, encoder, tmp_path):
    path = save_encoder(encoder, tmp_path / "encoder.pt")
    loaded = load_encoder(path, space)
    archs = [arch for arch, _ in labelled[:20]]
    before = GnnPredictor(space, small_config(), encoder=encoder).embed(archs)
    after = GnnPredictor(space, small_config(), encoder=loaded).embed(archs)
    assert np.array_equal(before, after)
    assert loaded.losses == encoder.losses
    assert loaded.encoder == encoder.encoder


def test_load_for_other_space_fails(encoder, tmp_path):
    path = save_encoder(encoder, tmp_path / "encoder.pt")
    other = CellSpace("other", ["a", "b"], max_nodes=5, max_edges=6)
    with pytest.raises(EncoderMismatchError, match="pre-trained for a space with hash"):
        load_encoder(path, other)


def test_predictor_rejects_encoder_of_other_space(encoder):
    other = CellSpace("other", ["a", "b"], max_nodes=5, max_edges=6)
    with pytest.raises(EncoderMismatchError, match="hash"):
        GnnPredictor(other, small_config(), encoder=encoder)


def test_load_missing_file_fails(space, tmp_path):
    with pytest.raises(DataNotFoundError, match="not found"):
        load_encoder(tmp_path / "absent.pt", space)


def test_load_foreign_file_fails(space, tmp_path):
    path = tmp_path / "foreign.pt"
    torch.save({"weights": torch.zeros(2)}, path)
    with pytest.raises(EncoderMismatchError, match="format version"):
        load_encoder(path, space)


def test_load_or_pretrain_reuses_file(space, tmp_path):
    first = load_or_pretrain(space, SMALL_ENCODER, SMALL_PRETRAIN, cache_dir=tmp_path, device="cpu")
    path = tmp_path / checkpoint_name(space, SMALL_ENCODER, SMALL_PRETRAIN)
    stamp = path.stat().st_mtime_ns
    second = load_or_pretrain(space, SMALL_ENCODER, SMALL_PRETRAIN, cache_dir=tmp_path, device="cpu")
    assert path.stat().st_mtime_ns == stamp
    assert all(torch.equal(first.state[key], second.state[key]) for key in first.state)
