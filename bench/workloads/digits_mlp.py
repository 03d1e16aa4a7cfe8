"""An MLP on the UCI digits: 64-100-10 ReLU, softmax cross-entropy, Adam lr 1e-3, 300 epochs
of batch 200 on a stratified 80/20 split (seed 0, standardised pixels), then the test
accuracy.  nnscratch trains through ``ns.fit``; PyTorch runs the same model in a plain loop;
scikit-learn's ``MLPClassifier`` runs the same architecture and optimiser (no L2 penalty, no
early stop: all 300 epochs).
"""
from ._torch_loop import train_torch

TITLE = "UCI digits MLP 64-100-10, Adam lr 1e-3, 300 epochs of batch 200"
TARGET = 1.5
ROUNDS = 5
EPOCHS, BATCH, LR = 300, 200, 1e-3


def setup():
    from nnscratch.app.experiments.mlp_digits import digits_split
    return digits_split(0)


def run_nnscratch(data):
    import nnscratch as ns
    import nnscratch.nn as nn
    import nnscratch.optim as optim
    X, Xt, y, yt = data
    ns.manual_seed(0)
    model = nn.Sequential(nn.Linear(64, 100), nn.ReLU(), nn.Linear(100, 10))
    ns.fit(model, X, y, loss=nn.CrossEntropyLoss(), optimizer=optim.Adam(model.parameters(),
                                                                           lr=LR),
           epochs=EPOCHS, batch_size=BATCH, seed=0, progress=False)
    return {"test_accuracy": ns.evaluate(model, Xt, yt, metrics=["accuracy"])["accuracy"]}


def run_torch(data):
    import torch
    X, Xt, y, yt = data
    torch.manual_seed(0)
    model = torch.nn.Sequential(torch.nn.Linear(64, 100), torch.nn.ReLU(),
                                torch.nn.Linear(100, 10))
    train_torch(model, torch.optim.Adam(model.parameters(), lr=LR), X, y, EPOCHS, BATCH)
    with torch.no_grad():
        acc = (model(torch.from_numpy(Xt)).argmax(1).numpy() == yt).mean()
    return {"test_accuracy": float(acc)}


def run_sklearn(data):
    import warnings

    from sklearn.exceptions import ConvergenceWarning
    from sklearn.neural_network import MLPClassifier
    X, Xt, y, yt = data
    clf = MLPClassifier(hidden_layer_sizes=(100,), activation="relu", solver="adam", alpha=0.0,
                        batch_size=BATCH, learning_rate_init=LR, max_iter=EPOCHS, shuffle=True,
                        random_state=0, tol=0.0, n_iter_no_change=EPOCHS + 1)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        clf.fit(X, y)
    return {"test_accuracy": float(clf.score(Xt, yt))}
