#!/usr/bin/env bash
# S-mode payloads for firmware boot tests: Tests/payloads/*.S -> $OUT/payloads/ (at 0x8020_0000).
source "$(dirname "$0")/env.sh"
build_asm_programs payloads payload.ld
