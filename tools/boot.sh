#!/usr/bin/env bash
# Boots the default stack on the board: the Vireo hypervisor firmware in M-mode and Dom0,
# the control domain, whose shell comes up on this terminal with the sample guests and
# their configurations on its disk (help lists the commands; Ctrl-A x quits the board).
# Extra arguments go to `vireo boot`: --drive file=my-guests.tar adds your own archive as
# Dom0's next disk; --stats, --harts N, --guest FILE… as usual.
set -euo pipefail
cd "$(dirname "$0")/.."
bash tools/setup.sh
bash tools/build-riscv.sh firmware guests linux dom0disk >&2
swift build -c release >&2
exec .build/release/vireo boot "$@"
