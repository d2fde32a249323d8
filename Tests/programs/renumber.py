#!/usr/bin/env python3
"""Renumber the checks of conformance programs 1..N in source order.

The check number is the last argument of CHECK_*, FAIL_N and T_* macro
invocations, or the first argument of CHECK_ILLEGAL, CHECK_VIRTUAL, CHECK_INSN_TRAP
and T_F_* ones. Lines inside macro definitions (numbers written with a backslash) are
left alone, so are files containing the marker "renumber: manual" (vm.S numbers its
shared suite by hand).
Checks inside #ifdef SPEC_STRICT blocks are numbered like the others.

Usage: Tests/programs/renumber.py FILE.S...
"""
import re
import sys

FIRST = re.compile(r"^(CHECK_ILLEGAL|CHECK_VIRTUAL|CHECK_INSN_TRAP|T_F_\w+)$")
LINE = re.compile(r"^(\s*(?:[\w.]+:\s*)?)((CHECK_\w+|FAIL_N|T_\w+)\s+)(.*?)(\s*(?:/\*.*\*/)?)\n$")

for path in sys.argv[1:]:
    text = open(path).read()
    if "renumber: manual" in text:
        print(f"{path}: numbered by hand, skipped")
        continue
    out, n = [], 0
    for line in text.splitlines(keepends=True):
        m = LINE.match(line)
        if m and "\\" not in m.group(4):
            n += 1
            if FIRST.match(m.group(3)):
                rest = m.group(4).split(",", 1)
                tail = "," + rest[1] if len(rest) > 1 else ""
                line = f"{m.group(1)}{m.group(2)}{n}{tail}{m.group(5)}\n"
            else:
                args = m.group(4).rsplit(",", 1)
                head = args[0] + ", " if len(args) == 2 else ""
                line = f"{m.group(1)}{m.group(2)}{head}{n}{m.group(5)}\n"
        out.append(line)
    open(path, "w").write("".join(out))
    print(f"{path}: {n} checks")
