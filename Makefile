# The two commands of the README, and the checks CI adds.
#   make report   the main job: replay the 2018-2020 trade war on the embedded data
#   make test     every test (Rust unit, integration, property, snapshot and doc tests, a bounded
#                 fuzz run of every parser and loader, then the Python package)
#   make python   only the Python part: .venv, build the extension, pytest (notebooks, stubtest included)
#   make lint     rustfmt check and clippy with warnings as errors

CARGO ?= cargo

.PHONY: report test lint data python fuzz

PYTHON ?= python3
VENV ?= .venv
VPY := $(VENV)/bin/python

report:
	$(CARGO) run --release --example trade_war_2018

test:
	$(CARGO) test --workspace --all-targets
	$(CARGO) test --workspace --doc
	$(MAKE) fuzz FUZZ_SECONDS=3
	$(MAKE) python

# The Python package: a virtualenv under the repo, the test requirements, a release
# build of crates/tradewar-py installed into it (maturin develop), then pytest.
$(VENV)/.requirements: python/requirements-test.txt
	test -x $(VPY) || $(PYTHON) -m venv $(VENV)
	$(VPY) -m pip install --quiet --upgrade pip
	$(VPY) -m pip install --quiet -r python/requirements-test.txt
	touch $@

python: $(VENV)/.requirements
	VIRTUAL_ENV=$(abspath $(VENV)) PATH=$(abspath $(VENV))/bin:$$PATH $(VENV)/bin/maturin develop --release --quiet
	$(VPY) -m pytest -q

lint:
	$(CARGO) fmt --all -- --check
	$(CARGO) fmt --manifest-path crates/tradewar-py/Cargo.toml -- --check
	$(CARGO) clippy --workspace --all-targets -- -D warnings
	$(CARGO) clippy --manifest-path crates/tradewar-py/Cargo.toml --all-targets -- -D warnings

# Bounded fuzzing of every parser and loader (seconds per target; installs cargo-fuzz
# if missing: about 3 minutes, then about 4 minutes for the first build on 2 cores).
FUZZ_SECONDS ?= 5
fuzz:
	fuzz/run-bounded.sh $(FUZZ_SECONDS)

# Regenerate the embedded data from ../shared/data (needs only Python 3).
data:
	python3 crates/tradewar-data/scripts/generate.py
