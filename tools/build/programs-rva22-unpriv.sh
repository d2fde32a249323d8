#!/usr/bin/env bash
# Build the RVA22 unprivileged-side conformance programs (Zba, Zbb, Zbc, Zbs, Zfhmin, Zihintpause, Zicbop):
# Tests/programs-rva22-unpriv/*.S -> $OUT/programs-rva22-unpriv/<name>.elf, assembled for RV64GC with those
# extensions. Usage: tools/build/programs-rva22-unpriv.sh [--qemu] [name...]
#   --qemu  run each program on qemu-system-riscv64 7.2 (virt, -bios none) with the CPU
#           options it needs (qemu_cpu below); `absent` runs on a CPU without them.
source "$(dirname "$0")/env.sh"
source "$(dirname "$0")/conformance.sh"

# The -cpu for a program on QEMU 7.2: Zba/Zbb/Zbc/Zbs and Zihintpause are on by default
# there, Zfhmin is not (its property is spelled `Zfhmin`), and there is no Zicbop (its
# instructions are ORI HINTs, which run as no-ops anyway).
qemu_cpu() {
  case "$1" in
    absent) echo "rv64,zba=false,zbb=false,zbc=false,zbs=false,Zfhmin=false" ;;
    *) echo "rv64,zba=true,zbb=true,zbc=true,zbs=true,Zfhmin=true,Zihintpause=true" ;;
  esac
}

run_qemu=0 args=()
for a in "$@"; do
  if [ "$a" = --qemu ]; then run_qemu=1; else args+=("$a"); fi
done
build_conformance_suite programs-rva22-unpriv rv64imafdc_zicsr_zifencei_zba_zbb_zbc_zbs_zfhmin_zihintpause_zicbop ${args[@]+"${args[@]}"}

if [ "$run_qemu" = 1 ]; then
  dst="$OUT/programs-rva22-unpriv"; [ "${VIREO_SPEC_STRICT:-0}" = 1 ] && dst="$OUT/programs-rva22-unpriv-strict"
  failed=0 total=0
  if [ ${#args[@]} -gt 0 ]; then names=("${args[@]}"); else names=(); for s in "$ROOT"/Tests/programs-rva22-unpriv/*.S; do names+=("$(basename "$s" .S)"); done; fi
  for name in "${names[@]}"; do
    name="$(basename "${name%.S}")"
    set +e
    line="$(timeout 10 qemu-system-riscv64 -machine virt -cpu "$(qemu_cpu "$name")" -bios none -nographic \
              -kernel "$dst/$name.elf" 2>&1 < /dev/null | tr -d '\r' | tail -n 1)"
    rc=${PIPESTATUS[0]}
    set -e
    printf '%-14s exit %-3s %s\n' "$name" "$rc" "$line"
    total=$((total + 1)); [ "$rc" = 0 ] || failed=$((failed + 1))
  done
  echo "qemu: $((total - failed)) passed, $failed failed"
  [ "$failed" = 0 ]
fi
