/// The arithmetic of the firmware's weighted scheduler, after Xen's credit schedulers
/// (credit2 in particular): a vCPU burns credit as it holds a hart, faster the lower its
/// domain's weight, and the hart runs the ready vCPU that has burnt the least. Burnt credit
/// is kept as a "virtual time" that only grows, so there is no periodic reset: two always
/// ready vCPUs with weights w1 and w2 on one hart get w1/(w1+w2) and w2/(w1+w2) of it, to
/// within one slice. A vCPU that slept comes back no further behind than `wakeAllowance`,
/// so sleeping banks no credit (the slice-theft finding of Hypervisor II).
public enum FairShare {
    /// Weight 256 (Xen's default) burns one unit per unit of time held.
    public static let defaultWeight: UInt64 = 256

    /// Virtual time for holding the hart `elapsed` units at `weight` (≥ 1).
    public static func burn(_ elapsed: UInt64, weight: UInt64) -> UInt64 {
        let w = max(weight, 1)
        // No 128-bit arithmetic: bare metal has no __udivti3.
        guard elapsed <= UInt64.max / defaultWeight else { return UInt64.max / w }
        return elapsed &* defaultWeight / w
    }

    /// The virtual time a vCPU resumes with after sleeping: not below `floor` (the least
    /// virtual time among the hart's ready vCPUs) minus the allowance.
    public static func wake(_ vtime: UInt64, floor: UInt64, allowance: UInt64) -> UInt64 {
        let least = floor >= allowance ? floor - allowance : 0
        return max(vtime, least)
    }

    /// Index of the entry to run among `count`: the ready one with the least virtual time;
    /// ties go to the first ready one at or after `start` (round-robin among equals).
    /// Nil: none ready. The entries are read through the two functions, so the caller's
    /// queue needs no copy.
    public static func pick(count n: Int, start: Int, ready: (Int) -> Bool, vtime: (Int) -> UInt64) -> Int? {
        guard n > 0 else { return nil }
        var best = -1
        var bestTime = UInt64.max
        var i = 0
        while i < n {
            let k = (start % n + i) % n
            if ready(k) {
                let t = vtime(k)
                if best < 0 || t < bestTime {
                    best = k
                    bestTime = t
                }
            }
            i += 1
        }
        return best < 0 ? nil : best
    }

    /// The same over arrays.
    public static func pick(_ vtimes: [UInt64], ready: [Bool], start: Int) -> Int? {
        guard ready.count == vtimes.count else { return nil }
        return pick(count: vtimes.count, start: start, ready: { ready[$0] }, vtime: { vtimes[$0] })
    }
}
