# The two commands of the README, and the checks CI adds.
#   make report   the main job: replay the 2018-2020 trade war on the embedded data
#   make test     every test (Rust unit, integration, property, snapshot and doc tests)
#   make lint     rustfmt check and clippy with warnings as errors

CARGO ?= cargo

.PHONY: report test lint data

report:
	$(CARGO) run --release --example trade_war_2018

test:
	$(CARGO) test --workspace --all-targets
	$(CARGO) test --workspace --doc

lint:
	$(CARGO) fmt --all -- --check
	$(CARGO) clippy --workspace --all-targets -- -D warnings

# Regenerate the embedded data from ../shared/data (needs only Python 3).
data:
	python3 crates/tradewar-data/scripts/generate.py
