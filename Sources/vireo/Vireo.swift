import ArgumentParser

@main
struct Vireo: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "vireo",
        abstract: "A cycle-level RISC-V 64 board (QEMU virt memory map) for booting and measuring hypervisors.",
        subcommands: [Run.self, Boot.self, ConformanceCommand.self, Bench.self, DTB.self]
    )
}
