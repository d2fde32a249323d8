#!/usr/bin/env bash
# The whole test suite: installs what is missing, builds the RISC-V test programs, benchmark
# kernels and demo, the board, then runs every Swift test (unit tests, the conformance suite,
# bad-ELF refusals, determinism, device tree, and the QEMU differential tests, which skip
# themselves when qemu-system-riscv64 is absent).
set -euo pipefail
cd "$(dirname "$0")/.."
bash tools/setup.sh --test
bash tools/build-riscv.sh
VIREO_SPEC_STRICT=1 bash tools/build/programs.sh >/dev/null
swift build --build-tests
swift test --skip-build "$@"
