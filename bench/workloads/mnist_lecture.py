"""The lecture's MNIST two-layer run (002 Example 6.2): 784-200-10 ReLU, softmax cross-entropy,
SGD lr 0.5, batch 100, 15 epochs over the 50,000 training images, then the error on the
10,000 validation images.  nnscratch trains through ``ns.fit`` (the whole training loop with
its checks, metrics bookkeeping and shuffling); PyTorch runs the same model in a plain loop.
"""
from ._torch_loop import train_torch

TITLE = ("MNIST lecture run: 784-200-10 ReLU, SGD lr 0.5, batch 100, 15 epochs of 50,000 "
         "images (ns.fit vs a torch loop)")
TARGET = 1.5
ROUNDS = 3
WARMUP = False  # a 15-epoch run: one-off start-up costs are noise here
EPOCHS, BATCH, LR = 15, 100, 0.5


def setup():
    from nnscratch.datasets import load_mnist
    (X, y), (Xv, yv), _ = load_mnist()
    return X, y, Xv, yv


def run_nnscratch(data):
    import nnscratch as ns
    import nnscratch.nn as nn
    import nnscratch.optim as optim
    X, y, Xv, yv = data
    ns.manual_seed(0)
    model = nn.Sequential(nn.Linear(784, 200), nn.ReLU(), nn.Linear(200, 10))
    ns.fit(model, X, y, loss=nn.CrossEntropyLoss(), optimizer=optim.SGD(model.parameters(),
                                                                          lr=LR),
           epochs=EPOCHS, batch_size=BATCH, seed=0, progress=False)
    err = ns.evaluate(model, Xv, yv, metrics=["error"], batch_size=1000)["error"]
    return {"val_error_pct": round(100 * err, 2)}


def run_torch(data):
    import torch
    X, y, Xv, yv = data
    torch.manual_seed(0)
    model = torch.nn.Sequential(torch.nn.Linear(784, 200), torch.nn.ReLU(),
                                torch.nn.Linear(200, 10))
    train_torch(model, torch.optim.SGD(model.parameters(), lr=LR), X, y, EPOCHS, BATCH)
    with torch.no_grad():
        err = (model(torch.from_numpy(Xv)).argmax(1).numpy() != yv).mean()
    return {"val_error_pct": round(100 * float(err), 2)}
