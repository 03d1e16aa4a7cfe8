"""Fault injection: a process killed (SIGKILL) at random points of ``ns.save``.

Each kill must leave the last completed checkpoint loadable (the old one or the new one, never a
mixture), and the next save must leave no temporary file behind.  Bounded: 8 kills, ~5 s.
"""
import os
import signal
import subprocess
import sys
import textwrap
import time

import numpy as np

import nnscratch as ns

KILLS = 8

# saves ~8 MB checkpoints in a loop, each filled with its own counter, and reports each one done
_SAVER = textwrap.dedent("""
    import sys
    import numpy as np
    import nnscratch as ns
    path = sys.argv[1]
    i = int(sys.argv[2])
    print("ready", flush=True)
    while True:
        i += 1
        ns.save({"step": i, "w": np.full(2 ** 20, float(i))}, path)
        print(i, flush=True)
""")


def _check(path):
    state = ns.load(path)
    assert isinstance(state["step"], int)
    np.testing.assert_array_equal(state["w"], np.full(2 ** 20, float(state["step"])))
    return state["step"]


def test_kill_during_save_keeps_the_previous_checkpoint_and_next_save_cleans_up(tmp_path):
    rng = np.random.default_rng(17)  # seeded: the same kill points on every run
    path = tmp_path / "train.ckpt"
    ns.save({"step": 0, "w": np.full(2 ** 20, 0.0)}, path)
    step, orphans = 0, 0
    t0 = time.perf_counter()
    for _ in range(KILLS):
        proc = subprocess.Popen([sys.executable, "-c", _SAVER, str(path), str(step)],
                                stdout=subprocess.PIPE, text=True)
        assert proc.stdout.readline().strip() == "ready"
        time.sleep(rng.uniform(0.0, 0.25))  # somewhere inside one of the saves
        os.kill(proc.pid, signal.SIGKILL)
        proc.wait()
        done = [int(line) for line in proc.stdout.read().split()]
        proc.stdout.close()
        loaded = _check(path)
        # the file holds the last save the child reported finished, or the one it had just
        # renamed into place when the kill came before it could print
        last = done[-1] if done else step
        assert loaded in (last, last + 1), (loaded, done)
        step = loaded
        orphans += sum(n.endswith(".tmp") for n in os.listdir(tmp_path))
    assert orphans >= KILLS // 2, "the kills never landed inside a save: the test is too lax"
    ns.save({"step": step + 1, "w": np.full(2 ** 20, float(step + 1))}, path)
    assert os.listdir(tmp_path) == [path.name]  # the next save removed every dead writer's file
    assert _check(path) == step + 1
    assert time.perf_counter() - t0 < 20
