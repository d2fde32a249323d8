#!/usr/bin/env bash
# Build the hypervisor-extension (H) conformance programs, assembled for RV64IMAC + H and run
# on QEMU with H and Sstc: Tests/programs-h/*.S -> $OUT/programs-h/<name>.elf.
# Usage: tools/build/programs-h.sh [--qemu] [name...]   (see tools/build/conformance.sh;
# VIREO_SPEC_STRICT=1 builds the spec-strict variants into $OUT/programs-h-strict/)
source "$(dirname "$0")/env.sh"
source "$(dirname "$0")/conformance.sh"
build_conformance_suite programs-h rv64imac_zicsr_zifencei "$@"
