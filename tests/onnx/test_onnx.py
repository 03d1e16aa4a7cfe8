"""ONNX export: every exported model passes onnx.checker (inside export) and, run in
onnxruntime, gives our outputs to 1e-5 (float32)."""
import numpy as np
import onnx
import onnxruntime as ort
import pytest

import nnscratch as ns
from nnscratch import nn
from nnscratch.app.experiments.autoencoders import build
from nnscratch.app.experiments.convnets import mnist_convnet

TOL = 1e-5


def _run(path, x):
    sess = ort.InferenceSession(str(path), providers=["CPUExecutionProvider"])
    return sess.run(None, {sess.get_inputs()[0].name: np.asarray(x)})


def _ours(model, x):
    model.eval()
    with ns.no_grad():
        out = model(ns.tensor(x) if x.dtype.kind == "f" else x)
    flat = []
    stack = [out]
    while stack:                                   # output, h_n, c_n in order
        v = stack.pop(0)
        if isinstance(v, (tuple, list)):
            stack = list(v) + stack
        else:
            flat.append(v.numpy())
    return flat


def _agree(model, x, tmp_path, **kw):
    """Export, run in onnxruntime, compare; returns the largest absolute difference."""
    path = tmp_path / "m.onnx"
    proto = ns.onnx.export(model, x, path, **kw)
    onnx.checker.check_model(onnx.load(str(path)), full_check=True)
    assert proto.graph.node
    got, want = _run(path, x), _ours(model, x)
    assert len(got) == len(want)
    worst = 0.0
    for g, w in zip(got, want):
        assert g.shape == w.shape and g.dtype == w.dtype
        np.testing.assert_allclose(g, w, rtol=TOL, atol=TOL)
        worst = max(worst, float(np.abs(g - w).max()))
    return worst


def test_mlp(tmp_path, rng):
    model = nn.Sequential(nn.Linear(6, 16), nn.Tanh(), nn.Linear(16, 16), nn.ReLU(),
                          nn.Dropout(0.3), nn.Linear(16, 3), nn.Softmax(dim=1))
    _agree(model, rng.standard_normal((5, 6)).astype(np.float32), tmp_path)


def test_cnn_of_the_cnn_mnist_experiment_with_a_dynamic_batch(tmp_path, rng):
    model = mnist_convnet()
    x = rng.uniform(0, 1, (4, 1, 28, 28)).astype(np.float32)
    _agree(model, x, tmp_path, input_names=["image"], output_names=["logits"],
           dynamic_axes={"image": {0: "batch"}, "logits": {0: "batch"}})
    # the batch axis is symbolic: another batch size runs too, and still agrees
    x7 = rng.uniform(0, 1, (7, 1, 28, 28)).astype(np.float32)
    np.testing.assert_allclose(_run(tmp_path / "m.onnx", x7)[0], _ours(model, x7)[0],
                               rtol=TOL, atol=TOL)


@pytest.mark.parametrize("cls", [nn.LSTM, nn.GRU, nn.RNN])
def test_two_layer_bidirectional_recurrent(cls, tmp_path, rng):
    model = cls(4, 6, num_layers=2, bidirectional=True, batch_first=True)
    _agree(model, rng.standard_normal((3, 5, 4)).astype(np.float32), tmp_path)


def test_time_major_gru_of_cho_et_al(tmp_path, rng):
    model = nn.GRU(3, 5, batch_first=False, reset_after=False)
    _agree(model, rng.standard_normal((6, 2, 3)).astype(np.float32), tmp_path)


def test_vae_encoder(tmp_path, rng):
    vae = build("vae", 20, latent=2, hidden=(16, 8))
    _agree(vae.encoder, rng.uniform(0, 1, (5, 20)).astype(np.float32), tmp_path)


def test_the_other_layers(tmp_path, rng):
    bn = nn.BatchNorm2d(4)
    bn.running_mean[...] = rng.standard_normal(4)
    bn.running_var[...] = rng.uniform(0.5, 2, 4)
    model = nn.Sequential(
        nn.Conv2d(2, 4, 3, padding="same", padding_mode="reflect"), bn, nn.LeakyReLU(0.1),
        nn.AvgPool2d(3, stride=2, padding=1), nn.ConvTranspose2d(4, 3, 3, stride=2, padding=1,
                                                                 output_padding=1),
        nn.GroupNorm(3, 3), nn.ELU(0.7), nn.Upsample(scale_factor=2), nn.AdaptiveMaxPool2d(4),
        nn.Dropout2d(0.5), nn.SiLU(), nn.AdaptiveAvgPool2d(2), nn.Flatten(),
        nn.LayerNorm(12), nn.Softplus(beta=2.0, threshold=1.0), nn.Linear(12, 5),
        nn.LogSoftmax(dim=-1))
    _agree(model, rng.standard_normal((3, 2, 8, 8)).astype(np.float32), tmp_path)


def test_one_dimensional_layers_and_global_pool(tmp_path, rng):
    seq = nn.Sequential(nn.Conv1d(3, 4, 3, padding=1, dilation=1), nn.BatchNorm1d(4),
                        nn.Sigmoid(), nn.MaxPool1d(2), nn.ConvTranspose1d(4, 2, 3, stride=2),
                        nn.AvgPool1d(2), nn.AdaptiveAvgPool1d(1), nn.Flatten(), nn.Identity())
    _agree(seq, rng.standard_normal((2, 3, 10)).astype(np.float32), tmp_path)
    cnn = nn.Sequential(nn.Conv2d(1, 2, 3, stride=2, groups=1), nn.GlobalAvgPool2d())
    _agree(cnn, rng.standard_normal((2, 1, 9, 9)).astype(np.float32), tmp_path)


def test_embedding_then_lstm_on_integer_tokens(tmp_path, rng):
    model = nn.Sequential(nn.Embedding(11, 4), nn.LSTM(4, 3, batch_first=True))
    x = rng.integers(0, 11, (2, 7)).astype(np.int64)
    path = tmp_path / "m.onnx"
    ns.onnx.export(model, x, path, output_names=["out", "h_n", "c_n"])
    got, want = _run(path, x), _ours(model, x)
    for g, w in zip(got, want):
        np.testing.assert_allclose(g, w, rtol=TOL, atol=TOL)


def test_export_restores_training_mode_and_names_parameters(tmp_path, rng):
    model = nn.Sequential(nn.Linear(3, 2), nn.Dropout(0.5))
    model.train()
    proto = ns.onnx.export(model, np.zeros((1, 3), np.float32), tmp_path / "m.onnx")
    assert model.training and model[1].training
    assert {"0.weight", "0.bias"} <= {t.name for t in proto.graph.initializer}


def test_unsupported_modules_and_arguments_are_clear_errors(tmp_path):
    x = np.zeros((1, 2), np.float32)
    with pytest.raises(ValueError, match="not a multiple"):
        ns.onnx.export(nn.AdaptiveAvgPool2d(3), np.zeros((1, 1, 5, 5), np.float32),
                       tmp_path / "a.onnx")
    with pytest.raises(ValueError, match="proj_size"):
        ns.onnx.export(nn.LSTM(2, 4, proj_size=2, batch_first=True),
                       np.zeros((1, 3, 2), np.float32), tmp_path / "a.onnx")
    with pytest.raises(ValueError, match="opset_version"):
        ns.onnx.export(nn.Linear(2, 2), x, tmp_path / "a.onnx", opset_version=7)
    with pytest.raises(ValueError, match="LayerNormalization needs opset >= 17"):
        ns.onnx.export(nn.LayerNorm(2), x, tmp_path / "a.onnx", opset_version=16)
    with pytest.raises(ValueError, match="dynamic_axes names"):
        ns.onnx.export(nn.Linear(2, 2), x, tmp_path / "a.onnx", dynamic_axes={"x": [0]})
    with pytest.raises(ValueError, match="output_names has 2 names"):
        ns.onnx.export(nn.Linear(2, 2), x, tmp_path / "a.onnx", output_names=["a", "b"])
    with pytest.raises(TypeError, match="model must be an nnscratch Module"):
        ns.onnx.export(lambda v: v, x, tmp_path / "a.onnx")
    assert not (tmp_path / "a.onnx").exists()
