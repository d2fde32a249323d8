#!/usr/bin/env bash
# Dom0's disk (DESIGN §4): a ustar archive of the sample guest kernels and their xl.cfg
# configurations, $OUT/dom0/guests.tar. GNU tar with fixed owners, times and order, so the
# same inputs give the same bytes. Needs the guests built (tools/build/guests.sh).
source "$(dirname "${BASH_SOURCE[0]}")/env.sh"
DST="$OUT/dom0"
STAGE="$DST/stage"
KERNELS=(hello ticker crash smp pager hostile)
mkdir -p "$STAGE"
inputs=()
for k in "${KERNELS[@]}"; do
  [ -f "$OUT/guests/$k.elf" ] || { echo "dom0disk: $OUT/guests/$k.elf missing (tools/build/guests.sh)" >&2; exit 1; }
  inputs+=("$OUT/guests/$k.elf")
done
inputs+=("$ROOT"/guests/dom0/configs/*.cfg)
if needs_rebuild "$DST/guests.tar" "${inputs[@]}" "$ROOT/tools/build/dom0disk.sh"; then
  rm -rf "$STAGE" && mkdir -p "$STAGE"
  cp "${inputs[@]}" "$STAGE/"
  names=()
  for f in "${inputs[@]}"; do names+=("$(basename "$f")"); done
  tar --format=gnu --sort=name --mtime=@0 --owner=0 --group=0 --numeric-owner \
     -C "$STAGE" -cf "$DST/guests.tar" "${names[@]}"
fi
echo "dom0disk: $DST/guests.tar"
