"""Helpers shared by test files (a test file never imports another test file): the checkout's
paths here, torch-parity checks in :mod:`.torch_parity`, and the case tables that more than one
test file runs (first derivatives in one file, second derivatives in another) in ``*_cases``."""
import pathlib

TESTS = pathlib.Path(__file__).resolve().parents[1]
ROOT = TESTS.parent          # the checkout: README.md, bench/, nnscratch/
