#!/usr/bin/env bash
# Boots the default stack on the board: the Vireo hypervisor firmware in M-mode with the
# sample guests in VS-mode (ticker as Dom0, hello beside it; Dom0's console shell comes
# with the next issue). Extra arguments go to `vireo boot` (e.g. --stats, --guest FILE).
set -euo pipefail
cd "$(dirname "$0")/.."
bash tools/setup.sh
bash tools/build-riscv.sh firmware guests >&2
swift build -c release >&2
exec .build/release/vireo boot "$@"
