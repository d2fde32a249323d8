#!/usr/bin/env bash
# The whole test suite: installs what is missing, builds the RISC-V test programs, benchmark
# kernels and demo, the Linux test kernel (cached under .build-riscv/linux by its inputs),
# the board, then runs every Swift test (unit tests, the conformance suite,
# bad-ELF refusals, determinism, device tree, and the QEMU differential tests, which skip
# themselves when qemu-system-riscv64 is absent). Ends with "N passed, N failed".
set -euo pipefail
cd "$(dirname "$0")/.."
bash tools/setup.sh --test
bash tools/build-riscv.sh
VIREO_SPEC_STRICT=1 bash tools/build/programs.sh >/dev/null
VIREO_SPEC_STRICT=1 bash tools/build/programs-h.sh >/dev/null
VIREO_SPEC_STRICT=1 bash tools/build/programs-fp.sh >/dev/null
VIREO_SPEC_STRICT=1 bash tools/build/programs-rva22-priv.sh >/dev/null
VIREO_SPEC_STRICT=1 bash tools/build/programs-rva22-unpriv.sh >/dev/null
swift build --build-tests
# The long hypervisor system tests (scheduling shares, the hostile suite) run hundreds of
# millions of guest cycles: they use a release build of the board.
swift build -c release --product vireo
export VIREO_FAST_BIN="$PWD/.build/release/vireo"
log="$(mktemp)"
trap 'rm -f "$log"' EXIT
set +e
# A guard, not a timing: a test that hangs (a child whose exit is never seen, say) fails the
# run with a message well inside CI's limit instead of holding it to the end.
timeout --kill-after=30 1800 swift test --skip-build "$@" 2>&1 | tee "$log"
status=${PIPESTATUS[0]}
[ "$status" -eq 124 ] && echo "test.sh: swift test did not finish within 30 minutes (a hung test?)" >&2
set -e
# Swift Testing's closing line: "✔ Test run with N tests in M suites passed …" or
# "✘ Test run with N tests … failed … with K issues".
summary=$(grep -E "Test run with [0-9]+ tests" "$log" | tail -1 || true)
total=$(sed -E 's/.*Test run with ([0-9]+) tests.*/\1/' <<<"$summary")
if [ -n "$summary" ] && [ "$status" -eq 0 ]; then
  echo "$total passed, 0 failed"
elif [ -n "$summary" ]; then
  # One line per failed test ("✘ Test name(...) failed after …"), not the issues or the run.
  failed=$(grep -E "^✘ Test [^ ]+\(.*\) .*failed after" "$log" | grep -cv "^✘ Test run with" || true)
  echo "$((total > failed ? total - failed : 0)) passed, $failed failed"
fi
exit "$status"
