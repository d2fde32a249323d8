#!/usr/bin/env bash
# Build the F/D conformance programs, assembled for RV64IMAFDC (plus H for those using h.h,
# e.g. fp-virt): Tests/programs-fp/*.S -> $OUT/programs-fp/<name>.elf.
# Usage: tools/build/programs-fp.sh [--qemu] [name...]   (see tools/build/conformance.sh;
# VIREO_SPEC_STRICT=1 builds the spec-strict variants into $OUT/programs-fp-strict/)
source "$(dirname "$0")/env.sh"
source "$(dirname "$0")/conformance.sh"
build_conformance_suite programs-fp rv64imafdc_zicsr_zifencei "$@"
