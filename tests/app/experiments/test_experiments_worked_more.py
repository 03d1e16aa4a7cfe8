"""The fourth pass's worked examples (issue 34): their helpers against hand-computed values,
and the cheap ones run in quick mode."""
import numpy as np
import pytest
from threadpoolctl import threadpool_limits

from nnscratch.app.experiments import Config, get
from nnscratch.app.experiments.early_stopping_criteria import error_change_pause, weight_change_stop
from nnscratch.app.experiments.word_language_model import count_model_perplexities


@pytest.fixture(autouse=True, scope="module")
def _one_blas_thread():
    with threadpool_limits(limits=1):
        yield


def test_error_change_pause_is_the_first_epoch_after_a_window_without_a_new_best():
    val = np.array([5.0, 4.0, 3.0, 3.5, 3.2, 3.0, 3.1, 2.9, 3.0, 3.0, 3.0])
    # best 3.0 at epoch 2; epochs 3, 4, 5 do not drop below it (the 3.0 of epoch 5 ties it,
    # and a tie is no drop): a window of 3 ends at epoch 5, a window of 4 at epoch 6
    assert error_change_pause(val, 3) == 5
    assert error_change_pause(val, 4) == 6
    # 2.9 at epoch 7 resets the count; three epochs follow: no window of 5
    assert error_change_pause(val, 5) is None


def test_weight_change_stop_compares_epochs_t_minus_window_and_t():
    W = np.array([[0.0, 0.0], [1.0, 0.0], [1.5, 0.2], [1.6, 0.25], [1.62, 0.26]])
    # max_i |w_i(t-2) - w_i(t)|: t=2: 1.5, t=3: 0.6, t=4: 0.12
    assert weight_change_stop(W, 2, 0.5) == 4
    assert weight_change_stop(W, 2, 0.6 + 1e-12) == 3
    assert weight_change_stop(W, 2, 0.1) is None


def test_count_model_perplexities_by_hand():
    V = 3
    train = np.array([0, 1, 0, 1, 0, 2])
    held = np.array([0, 1, 2])
    counts = np.bincount(train, minlength=V) + 1.0          # [4, 3, 2] over 9
    uni = counts / counts.sum()
    assert count_model_perplexities(train, held, V)["unigram"] == pytest.approx(
        np.exp(-np.mean(np.log(uni[[1, 2]]))))
    # bigrams: 0 -> 1 twice and 0 -> 2 once (c(0) = 3); 1 -> 0 twice (c(1) = 2)
    p = {lam: np.exp(-np.mean(np.log([lam * 2 / 3 + (1 - lam) * uni[1],
                                      lam * 0 + (1 - lam) * uni[2]])))
         for lam in np.arange(1, 10) / 10}
    assert count_model_perplexities(train, held, V)["bigram"] == pytest.approx(min(p.values()))


@pytest.mark.parametrize("name", ["mnist-batch-figure", "softmax-three-classes"])
def test_cheap_worked_examples_pass_in_quick_mode(name, tmp_path):
    res = get(name)(Config(seed=0, quick=True, out=tmp_path))
    assert res.status == "pass", {k: (res.metrics.get(e.metric or k), str(e))
                                  for k, e in res.expected.items()}
    with open(res.figures[0], "rb") as fh:
        assert fh.read(8) == b"\x89PNG\r\n\x1a\n"
