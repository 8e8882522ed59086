# JudgePanel: the two commands a fresh machine needs are `make run` and `make test`.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed

.PHONY: run test bench lint demo screenshots package clean fuzz killtest

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)

# Reinstall only when the project's metadata changes, so a re-run costs seconds.
$(STAMP): pyproject.toml setup.py | $(BIN)/python
	$(BIN)/python -m pip install -q --upgrade pip
	$(BIN)/python -m pip install -q -e '.[test,dev]'
	touch $(STAMP)

# The desktop-library check first: a missing X11/EGL library is named with the command
# that installs it, instead of a Qt abort.
run: $(STAMP)
	@$(BIN)/python -m judgepanel.cli.syslibs
	$(BIN)/judgepanel gui --demo demo-program $(ARGS)

test: $(STAMP)
	QT_QPA_PLATFORM=offscreen $(BIN)/python -m pytest $(PYTEST_ARGS)

bench: $(STAMP)
	$(BIN)/python -m bench $(ARGS)

# Coverage-guided fuzzing of every reader of outside input (atheris): FUZZ_SECONDS per target,
# TARGETS to choose some (fuzz/run.py lists them); CI runs a 20-second pass of each.
fuzz: $(STAMP)
	$(BIN)/python -m fuzz.run --seconds $(or $(FUZZ_SECONDS),60) $(TARGETS)

# SIGKILL the staff steps (import, assignment, bundles, merge) at random moments,
# RUNS times (100), and check each workspace is whole (tools/killtest.py).
killtest: $(STAMP)
	$(BIN)/python -m tools.killtest --runs $(or $(RUNS),100) $(ARGS)

lint: $(STAMP)
	$(BIN)/ruff check judgepanel tests bench tools packaging fuzz
	$(BIN)/mypy

demo: $(STAMP)
	$(BIN)/judgepanel demo $(or $(DIR),demo-program) --fresh

# Retake docs/screenshots from a fresh demo on a private Xvfb (needs xvfb and imagemagick).
screenshots: $(STAMP)
	$(BIN)/python tools/screenshots.py $(ARGS)

# Linux packages into dist/: a .tar.gz and a .deb of the PyInstaller one-folder build
# (packaging/build_linux.py; docs/install.md). PyInstaller comes with the [package] extra.
$(VENV)/.package-installed: pyproject.toml setup.py | $(STAMP)
	$(BIN)/python -m pip install -q -e '.[package]'
	touch $@

package: $(VENV)/.package-installed
	$(BIN)/python packaging/build_linux.py $(ARGS)

clean:
	rm -rf $(VENV) build dist *.egg-info
