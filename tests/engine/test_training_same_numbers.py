"""The trainer's Adam updates all of a model's tensors at once (foreach) and gives the numbers
of torch's per-tensor loop, bit for bit: the curves the tests' accuracies were measured on."""

import functools

import torch

from engine.labs.training.config import TrainConfig
from engine.labs.training.train import Trainer

TINY = TrainConfig(n=6, models=("rnn", "lstm", "gru", "transformer"), model_width=8, layers=1,
                   batch_size=4, steps=8, eval_every=8)


def _curves(result) -> dict:
    return {kind: (curves.loss.tolist(), curves.first_gradient.tolist())
            for kind, curves in result.curves.items()}


def test_the_trainers_adam_takes_the_per_tensor_loops_steps(monkeypatch):
    fast = Trainer(TINY)
    fast_result = fast.run()
    assert all(run.optimiser.defaults["foreach"] for run in fast.runs.values())
    per_tensor = functools.partial(torch.optim.Adam, foreach=False)

    def plain_adam(params, lr, foreach):
        return per_tensor(params, lr=lr)
    monkeypatch.setattr(torch.optim, "Adam", plain_adam)
    plain = Trainer(TINY)
    assert not any(run.optimiser.defaults["foreach"] for run in plain.runs.values())
    assert _curves(plain.run()) == _curves(fast_result)
    for kind, model in fast.models.items():
        for (name, a), b in zip(model.named_parameters(), plain.models[kind].parameters()):
            assert torch.equal(a, b), (kind, name)
