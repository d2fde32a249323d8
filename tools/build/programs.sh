#!/usr/bin/env bash
# Build the bare-metal conformance programs (RV64IMAC, M/S/U):
# Tests/programs/*.S -> $OUT/programs/<name>.elf, linked with linker/bare.ld.
# Usage: tools/build/programs.sh [--qemu] [name...]   (see tools/build/conformance.sh;
# VIREO_SPEC_STRICT=1 builds the spec-strict variants into $OUT/programs-strict/)
source "$(dirname "$0")/env.sh"
source "$(dirname "$0")/conformance.sh"
build_conformance_suite programs rv64imac_zicsr_zifencei "$@"
