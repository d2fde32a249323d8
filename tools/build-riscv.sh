#!/usr/bin/env bash
# Builds every RISC-V artefact the board's tests, benchmarks and demo need into .build-riscv/.
# Usage: tools/build-riscv.sh [programs|programs-h|programs-fp|programs-rva22-unpriv|programs-rva22-priv|payloads|console|virtio|smp|bench|demo|guests|guest-asm|linux|dom0disk|firmware|teaching-os]...   (default: all)
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
parts=("$@"); [ ${#parts[@]} -gt 0 ] || parts=(programs programs-h programs-fp programs-rva22-unpriv programs-rva22-priv payloads console virtio smp bench demo guests guest-asm linux dom0disk firmware teaching-os)
for p in "${parts[@]}"; do
  script="$here/build/$p.sh"
  [ -f "$script" ] || { echo "build-riscv: no such part '$p'" >&2; exit 2; }
  bash "$script"
done
