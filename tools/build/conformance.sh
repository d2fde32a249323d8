# The conformance-suite builder shared by programs.sh, programs-h.sh and programs-fp.sh
# (sourced after env.sh, not run).
#
# build_conformance_suite SUITE MARCH [--qemu] [name...]
#   Assembles Tests/SUITE/*.S (or the named programs) with clang for MARCH, with the shared
#   runtime in Tests/programs/include, links them with linker/bare.ld into $OUT/SUITE/.
#   A program that includes h.h (the hypervisor runtime) gets `_h` added to MARCH and runs
#   on QEMU with -cpu rv64,h=true,sstc=true; the others run on QEMU's default CPU.
#   --qemu   after building, run each program on qemu-system-riscv64 (virt, -bios none) and
#            report PASS/FAIL; returns non-zero if any fails. CONFORMANCE_QEMU_CPU, when
#            set, is the -cpu for every program (programs-rva22.sh sets it).
#   VIREO_SPEC_STRICT=1 builds the #ifdef SPEC_STRICT checks (the spec's requirements that
#   QEMU 7.2 fails) into $OUT/SUITE-strict/ instead.
build_conformance_suite() {
  local suite="$1" march="$2"; shift 2
  local src_dir="$ROOT/Tests/$suite" inc="$ROOT/Tests/programs/include"
  local dst="$OUT/$suite" ldscript="$ROOT/linker/bare.ld"
  local defs=()
  if [ "${VIREO_SPEC_STRICT:-0}" = 1 ]; then
    dst="$OUT/$suite-strict"
    defs=(-DSPEC_STRICT)
  fi
  mkdir -p "$dst"

  local run_qemu=0 names=() arg
  for arg in "$@"; do
    case "$arg" in
      --qemu) run_qemu=1 ;;
      *) names+=("$arg") ;;
    esac
  done

  local sources=() n
  if [ ${#names[@]} -gt 0 ]; then
    for n in "${names[@]}"; do sources+=("$src_dir/$(basename "${n%.S}").S"); done
  else
    shopt -s nullglob
    sources=("$src_dir"/*.S)
    shopt -u nullglob
  fi

  local headers=("$inc"/*.h) built=0 src name elf obj m
  for src in "${sources[@]}"; do
    [ -f "$src" ] || { echo "$suite: no such program: $src" >&2; return 1; }
    name="$(basename "$src" .S)"
    elf="$dst/$name.elf"
    if needs_rebuild "$elf" "$src" "${headers[@]}" "$ldscript" "$ROOT/tools/build/conformance.sh"; then
      obj="$dst/$name.o"
      m="$march"
      uses_h_runtime "$src" && m="${m}_h"
      # The later -march overrides the one in RV_CFLAGS; the ABI stays lp64.
      "$CLANG" "${RV_CFLAGS[@]}" -march="$m" ${defs[@]+"${defs[@]}"} -I "$inc" -c "$src" -o "$obj"
      "$LLD" -T "$ldscript" -o "$elf" "$obj"
      rm -f "$obj"
      echo "built $elf"
      built=$((built + 1))
    fi
  done
  echo "$suite: $built built, $(( ${#sources[@]} - built )) up to date ($dst)"

  if [ "$run_qemu" = 1 ]; then
    local failed=0 line rc cpu
    for src in "${sources[@]}"; do
      name="$(basename "$src" .S)"
      cpu=()
      uses_h_runtime "$src" && cpu=(-cpu rv64,h=true,sstc=true)
      [ -n "${CONFORMANCE_QEMU_CPU:-}" ] && cpu=(-cpu "$CONFORMANCE_QEMU_CPU")
      set +e
      line="$(timeout 10 qemu-system-riscv64 -machine virt ${cpu[@]+"${cpu[@]}"} -bios none -nographic \
                -kernel "$dst/$name.elf" 2>&1 < /dev/null | tr -d '\r' | tail -n 1)"
      rc=${PIPESTATUS[0]}
      set -e
      printf '%-14s exit %-3s %s\n' "$name" "$rc" "$line"
      [ "$rc" = 0 ] || failed=$((failed + 1))
    done
    echo "qemu: $(( ${#sources[@]} - failed )) passed, $failed failed"
    [ "$failed" = 0 ]
  fi
}

# uses_h_runtime SRC: the program includes h.h, so it needs H in -march and on QEMU.
uses_h_runtime() { grep -q '^#include "h.h"' "$1"; }
