import BoardCore

/// `--trace-events` (decision 0015): the board's harts and devices report to one
/// `TraceEvents` writer.
extension Machine {
    /// Starts tracing into `trace`: every hart and the bus report to it from now on, each
    /// hart's current mode opens its first slice, and when a loaded image (the firmware)
    /// exports `vireo_domain_names` the trace names domains from it.
    public func attach(traceEvents trace: TraceEvents) {
        trace.domainTable = images.lazy.compactMap { $0.symbol(TraceEvents.domainTableSymbol) }.first
        bus.traceEvents = trace
        for h in harts {
            h.traceEvents = trace
            trace.start(h)
        }
    }

    /// Ends tracing: closes the open slices at each hart's time and the file.
    public func finishTraceEvents() {
        guard let trace = bus.traceEvents else { return }
        trace.finish(harts: harts)
        bus.traceEvents = nil
        for h in harts { h.traceEvents = nil }
    }
}
