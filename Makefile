# Every target sets itself up: a fresh machine needs only python3.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: test lint typecheck pytest demo docs bench dist test-wheel clean generate

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

$(STAMP): pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	touch $(STAMP)

test: lint typecheck pytest

# stripe-node for tests/external, at the version package-lock.json pins (npm registry only).
NODE_DIR := tests/external/node
NODE_STAMP := $(NODE_DIR)/node_modules/.installed
$(NODE_STAMP): $(NODE_DIR)/package.json $(NODE_DIR)/package-lock.json
	cd $(NODE_DIR) && npm ci --no-audit --no-fund --loglevel=error
	touch $(NODE_STAMP)

lint: $(STAMP)
	$(BIN)/ruff check src tests benchmarks examples tools
	$(BIN)/ruff format --check src tests benchmarks examples tools

# AsyncFuturePayments (_async_client.py) is generated from FuturePayments (_client.py).
generate: $(STAMP)
	$(BIN)/python tools/unasync.py

typecheck: $(STAMP)
	$(BIN)/mypy

pytest: $(STAMP) $(NODE_STAMP)
	# coverage run, not pytest-cov: the pytest11 plugin imports future_payments before
	# pytest-cov would start measuring, and module-level lines would count as missed.
	$(BIN)/coverage run -m pytest
	$(BIN)/coverage report --skip-covered --sort=cover
	# The contract suite once more, replaying the committed cassettes (no network).
	FUTURE_PAYMENTS_CONTRACT=replay $(BIN)/pytest -p no:cacheprovider -q tests/contract

demo: $(STAMP)
	$(BIN)/python -m future_payments demo

# The documentation site (mkdocs, material theme, API reference from the docstrings) into
# site/. --strict: any warning (a broken link, a page missing from the nav) fails the build.
docs: $(STAMP)
	NO_MKDOCS_2_WARNING=1 $(BIN)/mkdocs build --strict --quiet --site-dir site
	@echo "docs built into site/ (open site/index.html)"

# Every benchmarks/bench_*.py once, one table of ratios (localstripe goes into .bench/).
bench: $(STAMP)
	$(BIN)/python -m benchmarks

# A wheel and an sdist into dist/, then a check of what they hold.
dist: $(STAMP)
	rm -rf dist
	mkdir -p build
	$(BIN)/python -m build --outdir dist . >build/dist.log 2>&1 || (cat build/dist.log; exit 1)
	$(BIN)/python -c "$$CHECK_DIST"

# The test suite against the installed wheel, not the source tree: a fresh venv gets the wheel
# with its [dev] extra from PyPI, and pytest runs in a copy of tests/ (and the docs they read)
# that has no src/ beside it, so `import future_payments` can only find the wheel. The browser
# and slow race tests are left out here: `make test` ran them on the same code a moment before,
# and they test timing and concurrency, not packaging (CI has 90 minutes on 2 cores).
WHEEL_VENV := build/wheel-venv
WHEEL_TREE := build/wheel-tests
test-wheel: dist $(NODE_STAMP)
	rm -rf $(WHEEL_VENV) $(WHEEL_TREE)
	$(PYTHON) -m venv $(WHEEL_VENV)
	$(WHEEL_VENV)/bin/python -m pip install --quiet --upgrade pip
	$(WHEEL_VENV)/bin/python -m pip install --quiet "$$(ls dist/*.whl)[dev]"
	mkdir -p $(WHEEL_TREE)
	cp -R tests tools docs examples README.md CHANGELOG.md mkdocs.yml pyproject.toml $(WHEEL_TREE)/
	find $(WHEEL_TREE) -name __pycache__ -prune -exec rm -rf {} +
	cd $(WHEEL_TREE) && ../wheel-venv/bin/python -c "$$CHECK_INSTALLED"
	cd $(WHEEL_TREE) && FUTURE_PAYMENTS_WHEEL_TEST=1 ../wheel-venv/bin/python -m pytest \
		-p no:cacheprovider -m "not slow and not browser" tests

clean:
	rm -rf $(VENV) .mypy_cache .pytest_cache .ruff_cache build dist site .bench

define CHECK_DIST
import glob, sys, tarfile, zipfile
(wheel,), (sdist,) = glob.glob("dist/*.whl"), glob.glob("dist/*.tar.gz")
in_wheel = zipfile.ZipFile(wheel).namelist()
in_sdist = tarfile.open(sdist).getnames()
problems = []
for name, files in (("wheel", in_wheel), ("sdist", in_sdist)):
    if not any(f.endswith("future_payments/py.typed") for f in files):
        problems.append(f"{name}: no py.typed")
    caches = [f for f in files if any(c in f for c in ("__pycache__", ".pyc", "_cache/", ".venv/", ".bench/", "site/"))]
    if caches:
        problems.append(f"{name}: caches {caches[:3]}")
if any(f.startswith(("tests/", "docs/", "benchmarks/", "examples/")) for f in in_wheel):
    problems.append("wheel: holds files outside the package")
if not any(f.endswith("entry_points.txt") for f in in_wheel):
    problems.append("wheel: no entry points (console script, pytest plugin)")
if problems:
    sys.exit("dist check failed: " + "; ".join(problems))
print(f"dist/: {wheel.split('/')[-1]} ({len(in_wheel)} files), {sdist.split('/')[-1]} ({len(in_sdist)} files): ok")
endef
export CHECK_DIST

define CHECK_INSTALLED
import pathlib, sys, sysconfig, future_payments
where = pathlib.Path(future_payments.__file__).resolve()
site = pathlib.Path(sysconfig.get_paths()["purelib"]).resolve()
if site not in where.parents:
    sys.exit(f"future_payments imported from {where}, not from the wheel in {site}")
print(f"testing future_payments {future_payments.__version__} installed at {where.parent}")
endef
export CHECK_INSTALLED
