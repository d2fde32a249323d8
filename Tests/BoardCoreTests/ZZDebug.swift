import Testing
@testable import BoardCore
import RISCV

@Test func zzDebug() {
    let b = TestBoard()
    b.load([addi(a0, a0, 1), addi(a0, a0, 1), addi(a0, a0, 1), addi(a0, a0, 1), addi(a0, a0, 1), j(0)])
    b.hart.pc = TestBoard.base
    b.hart.run(until: 100)
    print("warm", b.hart.cycles, b.hart.instret)
    b.hart.pc = TestBoard.base
    for i in 0..<4 {
        let c0 = b.hart.cycles
        b.hart.run(until: c0 + 1)
        print("step", i, "cycles", b.hart.cycles, "instret", b.hart.instret, "pc", hex(b.hart.pc), "a0", b[a0], "runLimit", b.hart.runLimit)
    }
    b.hart.pc = TestBoard.base
    let c0 = b.hart.cycles
    b.hart.run(until: c0 + 3)
    print("3 cycles", b.hart.cycles - c0, "pc", hex(b.hart.pc))
}
