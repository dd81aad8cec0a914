# Two commands: `make demo` and `make test`. Each sets up its own virtual environment.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: demo test test-slow fuzz lint bench docs docs-check clean

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	# torch first and pinned: anything else pulling it in would fetch the CUDA build
	$(BIN)/pip install --quiet torch==2.13.0
	# editable: setuptools' notice about editable installs is for packagers, not a user's first screen
	PYTHONWARNINGS="ignore:Editable installation" $(BIN)/pip install --quiet -e '.[test]'
	touch $(STAMP)

demo: $(STAMP)
	$(BIN)/axgen demo -o demo_out

test: $(STAMP)
	$(BIN)/pytest -n 2 -q

test-slow: $(STAMP)
	$(BIN)/pytest -n 2 -q -m slow

# property-based campaign (tests/sim/test_fuzz_designs.py): 2 shards x FUZZ_BATCHES batches of
# FUZZ_K random designs, golden = RTL harness = HLS C simulation; prints how many passed. A failing
# design's QONNX model and config are kept in build/fuzz-failures/.
FUZZ_BATCHES ?= 32
FUZZ_K ?= 16
fuzz: $(STAMP)
	rm -rf build/fuzz
	AXGEN_FUZZ_BATCHES=$(FUZZ_BATCHES) AXGEN_FUZZ_K=$(FUZZ_K) AXGEN_FUZZ_OUT=build/fuzz \
		$(BIN)/pytest -n 2 -q -m fuzz tests/sim/test_fuzz_designs.py; \
		status=$$?; $(BIN)/python tests/support/fuzz_batch.py build/fuzz; exit $$status

# speed benchmarks, each measured side by side in one run; figures also as JSON in benchmarks/results/,
# then the site, whose results page is made from them
bench: $(STAMP)
	$(BIN)/python benchmarks/verify_speed.py --cnv
	$(BIN)/python benchmarks/csim_speed.py
	$(BIN)/python benchmarks/golden_speed.py
	$(BIN)/python benchmarks/throughput.py
	$(BIN)/python benchmarks/fifo_depths.py
	$(BIN)/python benchmarks/autofold_baseline.py
	$(BIN)/python benchmarks/calibrate_resources.py report
	$(MAKE) docs

# the documentation site in site/ (mkdocs build --strict: a broken link or a missing reference fails):
# the reference generated from the code, the tutorials in docs/tutorials/ executed (cached in
# build/docs/cache/ by their text and the code they run), the results from benchmarks/results/
docs: $(STAMP)
	NO_MKDOCS_2_WARNING=1 $(BIN)/mkdocs build --strict

# the built site in headless Chromium (apt install chromium): home page, a tutorial, the multiplier
# catalogue rendered with their images loaded
docs-check: docs
	$(BIN)/python docs/check_site.py site

# ruff, the layering contract (import-linter, pyproject.toml), verilator -Wall over rtl/ and the
# synthesis-clean test (Yosys synth_xilinx and synth_ecp5 over every block and small network tops)
lint: $(STAMP)
	$(BIN)/ruff check generator tests benchmarks testbench docs
	$(BIN)/lint-imports
	$(BIN)/python -m generator.backends.rtl.lint
	$(BIN)/pytest -q -p no:cacheprovider -m "slow or not slow" tests/backends/rtl/test_synth_clean.py

clean:
	rm -rf demo_out build site .pytest_cache
