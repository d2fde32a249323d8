import BoardCore
import RISCV

/// The commit log (`--trace`): one instruction or trap at a time, as Spike's `--log-commits`.
extension Machine {
    /// Executes one instruction (or takes one trap) on the next hart and returns the commit
    /// record.
    public func step() -> CommitRecord? {
        if stopCondition(maxInstructions: nil) != nil { return nil }
        for _ in 0..<harts.count {
            let h = harts[nextStep]
            nextStep = (nextStep + 1) % harts.count
            if harts.count > 1 { bus.interleavingEpoch &+= 1 }
            if h.waitingForInterrupt {
                if h.wakeUpPending { h.resume() } else if let t = h.nextWakeUpCycle() { h.sleep(until: t); continue } else { continue }
            }
            return step(h)
        }
        // Everyone sleeps: let the earliest one wake.
        guard let h = harts.filter({ $0.nextWakeUpCycle() != nil }).min(by: { $0.nextWakeUpCycle()! < $1.nextWakeUpCycle()! }) else {
            return bus.uart.input.waitForLiveInput() ? step() : nil
        }
        h.sleep(until: h.nextWakeUpCycle()!)
        return step()
    }

    private func step(_ h: Hart) -> CommitRecord {
        let traps = { h.stats.exceptions.reduce(0, &+) &+ h.stats.interrupts.reduce(0, &+) }
        let before = (pc: h.pc, instret: h.instret, traps: traps())
        h.clearLastTrap()
        h.checkInterrupts()
        let trappedByInterrupt = traps() != before.traps
        let pc = h.pc, priv = h.priv
        h.singleStep = true
        h.run(until: h.cycles &+ 1)
        let retired = h.instret != before.instret
        return CommitRecord(hart: h.id, pc: pc, privilege: priv, instruction: h.decodedWord(at: pc), retired: retired,
                            written: retired ? h.lastWrittenRegister(pc: pc) : nil,
                            interruptTaken: trappedByInterrupt ? before.pc : nil,
                            trap: retired ? nil : h.lastTrap)
    }
}

/// One line of the `--trace` commit log.
public struct CommitRecord: Sendable {
    public var hart: Int = 0
    public var pc: UInt64
    public var privilege: Privilege
    public var instruction: UInt32?
    public var retired: Bool
    public var written: (register: Int, value: UInt64)?
    /// The pc at which an interrupt was taken before this instruction.
    public var interruptTaken: UInt64?
    public var trap: Trap?

    /// Spike's "core %3d" prefix.
    var core: String {
        let n = String(hart)
        return "core " + String(repeating: " ", count: max(0, 3 - n.count)) + n
    }

    /// Spike `--log-commits` style: `core   0: 3 0x…(0x…) x5  0x…`.
    public var text: String {
        var s = ""
        if let trap, !retired {
            s += "\(core): exception \(trap.cause.name), epc \(hex16(pc))\n"
            s += "\(core):           tval \(hex16(trap.tval))\n"
            return s
        }
        let bits: String
        if let w = instruction {
            bits = w & 3 == 3 ? "0x" + hex(UInt64(w), digits: 8) : "0x" + hex(UInt64(w & 0xFFFF), digits: 4)
        } else {
            bits = "0x????????"
        }
        s += "\(core): \(privilege.rawValue) \(hex16(pc)) (\(bits))"
        if let (r, v) = written {
            let name = "x\(r)"
            // Spike: "x%-2d 0x%016lx", e.g. "x5  0x…", "x10 0x…".
            s += " " + name + String(repeating: " ", count: max(0, 3 - name.count)) + " " + hex16(v)
        }
        return s + "\n"
    }
}

func hex(_ v: UInt64, digits: Int) -> String {
    let s = String(v, radix: 16)
    return String(repeating: "0", count: max(0, digits - s.count)) + s
}

func hex16(_ v: UInt64) -> String { "0x" + hex(v, digits: 16) }
