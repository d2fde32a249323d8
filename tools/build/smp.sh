#!/usr/bin/env bash
# SMP test programs, run with --harts N: Tests/smp/*.S -> $OUT/smp/.
source "$(dirname "$0")/env.sh"
build_asm_programs smp bare.ld
