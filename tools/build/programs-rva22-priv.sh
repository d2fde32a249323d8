#!/usr/bin/env bash
# Build the RVA22S64 privileged-side conformance programs (Sv57, Svnapot, Svpbmt, Svinval, Zicbom, Zicboz,
# Zihpm; the instructions as .insn, so plain RV64IMAC (+H for those using h.h) assembles
# them): Tests/programs-rva22-priv/*.S -> $OUT/programs-rva22-priv/<name>.elf. With --qemu they run on
# QEMU 7.2 with the extensions it has switched on (Debian's 7.2 has no Zicbom/Zicboz:
# cbo fails there with an illegal instruction).
# Usage: tools/build/programs-rva22-priv.sh [--qemu] [name...]   (see tools/build/conformance.sh;
# VIREO_SPEC_STRICT=1 builds the spec-strict variants into $OUT/programs-rva22-priv-strict/)
source "$(dirname "$0")/env.sh"
source "$(dirname "$0")/conformance.sh"
export CONFORMANCE_QEMU_CPU="${CONFORMANCE_QEMU_CPU:-rv64,h=true,sstc=true,svpbmt=true,svinval=true,svnapot=true}"
build_conformance_suite programs-rva22-priv rv64imac_zicsr_zifencei "$@"
