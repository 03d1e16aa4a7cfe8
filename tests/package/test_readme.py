"""The README's Python examples run as written and do what they say."""
import re

import numpy as np
from helpers import ROOT as _ROOT
from threadpoolctl import threadpool_limits

import nnscratch.nn as nn

README = _ROOT / "README.md"


def _blocks():
    return re.findall(r"```python\n(.*?)```", README.read_text(encoding="utf-8"), re.S)


def test_training_example_reaches_its_accuracy(capsys):
    block = next(b for b in _blocks() if "ArrayLoader(X_train" in b)
    scope = {}
    with threadpool_limits(1):
        exec(compile(block, "README.md", "exec"), scope)
    assert scope["accuracy"] >= 0.95                      # UCI digits, 30 epochs of an MLP
    assert "test accuracy" in capsys.readouterr().out


def test_packed_sequence_example():
    block = next(b for b in _blocks() if "pack_padded_sequence" in b)
    ids = np.array([[3, 4, 5, 0], [1, 2, 0, 0], [7, 8, 9, 6]])     # 0 pads
    scope = {"nn": nn, "vocab_size": 10, "ids": ids, "lengths": [3, 2, 4]}
    exec(compile(block, "README.md", "exec"), scope)
    out, h_n, lengths = scope["out"], scope["h_n"], scope["lengths"]
    assert out.shape == (3, 4, 128) and h_n.shape == (2, 3, 64)
    np.testing.assert_array_equal(lengths, [3, 2, 4])
    assert np.all(out.numpy()[1, 2:] == 0)                   # padding after the 2 real steps
    # the forward direction's final state is the output at each sequence's own last step
    for n, L in enumerate(lengths):
        np.testing.assert_allclose(h_n.numpy()[0, n], out.numpy()[n, L - 1, :64], rtol=1e-6)


def test_interoperability_example(tmp_path, monkeypatch, capsys):
    """ONNX, safetensors and scikit-learn, as the README shows them."""
    block = next(b for b in _blocks() if "ns.onnx.export" in b)
    monkeypatch.chdir(tmp_path)
    scope = {}
    exec(compile(block, "README.md", "exec"), scope)
    import nnscratch as ns
    with ns.no_grad():
        ours = scope["model"](ns.tensor(scope["x"])).numpy()
    np.testing.assert_allclose(scope["logits"], ours, rtol=1e-5, atol=1e-5)
    assert (tmp_path / "mlp.safetensors").exists()
    assert scope["search"].best_score_ > 0.9
    assert "['setosa' 'setosa']" in capsys.readouterr().out
