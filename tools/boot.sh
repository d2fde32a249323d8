#!/usr/bin/env bash
# Boots the default stack on the board. Today (Board I) that is the Embedded Swift demo
# program running bare-metal in M-mode; the hypervisor firmware, Dom0 and the demo guests
# replace it as they land. Extra arguments go to `vireo run` (e.g. --stats).
set -euo pipefail
cd "$(dirname "$0")/.."
bash tools/setup.sh
bash tools/build-riscv.sh demo >&2
swift build -c release >&2
exec .build/release/vireo run .build-riscv/demo/demo.elf "$@"
