"""History.plot and ``nnscratch.training.callbacks``. Cost: < 2 s."""
import matplotlib

matplotlib.use("Agg")

import pytest  # noqa: E402

from nnscratch.training import History  # noqa: E402


def _history(n):
    h = History()
    for e in range(n):
        h.record_epoch(e, {"loss": 1.0 / (e + 1), "accuracy": 0.5 + 0.1 * e,
                           "val_loss": 1.2 / (e + 1), "val_accuracy": 0.4 + 0.1 * e})
    return h


def test_plot_draws_one_panel_per_quantity_with_epochs_from_one():
    fig = _history(5).plot()
    loss, acc = fig.axes
    assert loss.get_ylabel() == "loss" and acc.get_ylabel() == "accuracy"
    train, val = loss.get_lines()
    assert list(train.get_xdata()) == [1, 2, 3, 4, 5] and train.get_linestyle() == "-"
    assert list(val.get_ydata()) == pytest.approx([1.2 / k for k in range(1, 6)])
    assert all(float(t).is_integer() for t in loss.get_xticks())


def test_two_epochs_are_points_not_a_line():
    fig = _history(2).plot(keys=["loss"])
    (ax,) = fig.axes
    for line in ax.get_lines():
        assert line.get_linestyle() == "None" and line.get_marker() == "o"


def test_plot_names_the_recorded_keys():
    with pytest.raises(ValueError, match="loss, accuracy"):
        _history(3).plot(keys=["f1"])


def test_callbacks_import_under_their_short_name():
    from nnscratch.training import callbacks
    from nnscratch.training.callbacks import CSVLogger, EarlyStopping
    assert EarlyStopping is callbacks.EarlyStopping and CSVLogger is callbacks.CSVLogger
