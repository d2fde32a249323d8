#!/usr/bin/env bash
# Small S-mode guests in assembly (the review's proof-of-concept attacks, kept as
# regression cases): Tests/guest-asm/*.S -> $OUT/guest-asm/, linked at 0x8020_0000 like
# every guest (linker/guest.ld).
source "$(dirname "$0")/env.sh"
build_asm_programs guest-asm guest.ld
