"""``torch.version``: the library's version, and no accelerator builds (``cuda`` and ``hip`` are
None, as in torch's CPU build, so ``if torch.version.cuda:`` branches take the CPU path)."""

__version__ = "0.1.0"
cuda = None
hip = None
debug = False
