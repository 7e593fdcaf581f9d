"""minGRU in the training lab: its scan gives the engine loop's states, autograd's gradients match
finite differences, it saves and loads like the other models, trains, and generates token by token."""

import numpy as np
import pytest
import torch

from engine.labs.training.checkpoints import load_model, save_model
from engine.labs.training.config import TrainConfig
from engine.labs.training.mingru_model import MinGRUModel, recurrent_model
from engine.labs.training.models import parameter_count, recurrent_parameters
from engine.labs.training.train import Trainer
from engine.models.mingru import MinGRU, MinGRUStepper, MinGRUWeights


def small(dtype=torch.float64):
    return MinGRUModel(vocabulary=11, embed_width=5, hidden_size=4, seed=2, dtype=dtype)


def test_the_scan_gives_the_engine_loops_states():
    model = small()
    tokens = torch.tensor([[1, 4, 2, 9, 9, 0, 3], [5, 5, 5, 1, 2, 3, 4]])
    states = model.states(model.embed(tokens))  # (B, T, H)
    weights = MinGRUWeights(model.w_z.detach(), model.b_z.detach(), model.w_h.detach(),
                            model.b_h.detach())
    for row, words in enumerate(tokens):
        loop = MinGRUStepper(MinGRU(weights), model.embedding[words].detach()).run()  # (T, H)
        np.testing.assert_allclose(states[row].detach(), loop, rtol=1e-12, atol=1e-14)
    np.testing.assert_allclose(model.states(model.embed(tokens), every=False).detach(),
                               states[:, -1].detach())


def test_gradients_through_the_scan_match_finite_differences():
    model = small()
    tokens = torch.tensor([[1, 4, 2, 9, 0]])
    assert torch.autograd.gradcheck(lambda x: model.forward_from_inputs(x),
                                    (model.embed(tokens).detach().requires_grad_(),))


def test_it_counts_saves_and_loads_like_the_other_models(tmp_path):
    model = recurrent_model("mingru", 11, 5, 4, seed=2)
    assert isinstance(model, MinGRUModel)
    assert parameter_count(model) == recurrent_parameters("mingru", 11, 5, 4)
    from engine.labs.training.tasks import VOCABULARY

    lab_model = recurrent_model("mingru", len(VOCABULARY), 6, 3, seed=1)
    path = save_model(lab_model, tmp_path / "mingru.npz", {"task": "first-word", "n": 8,
                                                            "steps": 1, "seed": 1})
    loaded, _header = load_model(path)
    assert isinstance(loaded, MinGRUModel)
    for (name, value), (_, again) in zip(lab_model.named_parameters(), loaded.named_parameters()):
        np.testing.assert_array_equal(value.detach(), again.detach(), err_msg=name)
    with pytest.raises(TypeError, match="no recurrent cell"):
        loaded.cell_weights()


def test_it_trains_beside_the_others_and_generates_with_a_fixed_state():
    from engine.labs.training.analysis import generation_profile

    config = TrainConfig(task="previous-word", n=8, models="mingru,transformer", steps=30,
                         eval_every=15, model_width=8, batch_size=8, seed=0)
    trainer = Trainer(config)
    result = trainer.run()
    summary = result.summary("mingru")
    assert np.isfinite(summary.final_loss)
    profile = generation_profile(trainer.models["mingru"], "mingru", [1, 2, 3], 12, repeats=1)
    assert len(set(profile.memory_bytes)) == 1  # a state of fixed size, whatever the position
