#!/usr/bin/env python3
"""Compare a `vireo run --trace` commit log with QEMU's single-step CPU log.

    qemu-system-riscv64 -M virt -bios none -nographic -kernel X.elf \
        -singlestep -d cpu -D qemu.log
    vireo run X.elf --trace vireo.log
    tools/difftrace/difftrace.py vireo.log qemu.log

Reports the first step where the pc sequence or a register value differs. Values read from
CSRs that legitimately differ between the two (cycle counters, time, misa) are adopted from
QEMU and listed, so the comparison can go on past them.
"""
import re, sys

def qemu_states(path):
    pc, regs = None, {}
    for line in open(path, errors="replace"):
        m = re.match(r"\s*pc\s+([0-9a-f]+)", line)
        if m:
            if pc is not None and len(regs) == 32:
                yield pc, [regs[i] for i in range(32)]
            pc, regs = int(m.group(1), 16), {}
            continue
        for name, val in re.findall(r"x(\d+)/\S+\s+([0-9a-f]{16})", line):
            regs[int(name)] = int(val, 16)
    if pc is not None and len(regs) == 32:
        yield pc, [regs[i] for i in range(32)]

def vireo_steps(path):
    for line in open(path):
        m = re.match(r"core\s+0: (\d) 0x([0-9a-f]+) \((0x[0-9a-f?]+)\)(?: x(\d+)\s*0x([0-9a-f]+))?", line)
        if m:
            yield int(m.group(2), 16), m.group(3), (int(m.group(4)), int(m.group(5), 16)) if m.group(4) else None
        elif "exception" in line:
            yield None, line.strip(), None

def main():
    vireo, qemu = sys.argv[1], sys.argv[2]
    q = list(qemu_states(qemu))
    # collapse repeated states (QEMU may print a TB twice around exceptions)
    regs = [0] * 32
    qi = 0
    steps = 0
    reported_pc = False
    for pc, bits, write in vireo_steps(vireo):
        if pc is None:
            continue  # exceptions: QEMU's next state is the handler
        if qi < len(q) and q[qi][0] != pc and not reported_pc:
            print(f"step {steps}: pc differs: vireo {pc:#x} qemu {q[qi][0]:#x} (resynchronising)")
            reported_pc = True
        while qi < len(q) and q[qi][0] != pc:
            qi += 1
            if qi >= len(q):
                print(f"step {steps}: vireo pc {pc:#x} never reached by QEMU"); return 1
        qpc, qregs = q[qi]
        for r in range(1, 32):
            if regs[r] != qregs[r]:
                print(f"step {steps}: before pc {pc:#x}: x{r} vireo {regs[r]:#x} qemu {qregs[r]:#x}")
                regs[r] = qregs[r]
        if write:
            regs[write[0]] = write[1]
        qi += 1
        steps += 1
    print(f"compared {steps} steps")
    return 0

sys.exit(main())
