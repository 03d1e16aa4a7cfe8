"""A registry of fake experiments (one passing, one missing its target, one crashing), for the
CLI tests that run, list and report them without the real experiments."""


from nnscratch.app.experiments import registry
from nnscratch.app.experiments.registry import Expect, Result


def fake_registry(tmp_path):
    def good(cfg):
        from nnscratch.app.experiments.plotting import plt, savefig
        fig, ax = plt.subplots()
        ax.plot([0, 1], [0, 1])
        return Result(metrics={"acc": 1.0, "curve": [0.5, 0.25]},
                      expected={"acc": Expect(">=", 0.9, "a note", source="text: 000 §0")},
                      figures=[savefig(fig, cfg.figure("line"))], headline="acc",
                      tables={"t": [{"a": 1, "b": 2.5}]}, text={"sample": "hello"})

    def missed(cfg):
        res = good(cfg)
        res.metrics["acc"] = 0.5
        return res

    def crashes(cfg):
        raise RuntimeError("boom inside the experiment")

    reg = {}
    for name, fn in (("good", good), ("missed", missed), ("crashes", crashes)):
        reg[name] = registry.Experiment(name, fn, "000 §0", f"{name} summary")
    return reg
