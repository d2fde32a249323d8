#!/usr/bin/env bash
# Console test programs, run with scripted or piped input: Tests/console/*.S -> $OUT/console/.
source "$(dirname "$0")/env.sh"
build_asm_programs console bare.ld
