import ArgumentParser
import Board
import Foundation

struct DTB: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Write the board's device tree blob to stdout (read it with dtc -I dtb -O dts)."
    )

    @OptionGroup var board: BoardOptions

    @Option(help: "Kernel command line for /chosen/bootargs.")
    var append: String?

    func run() throws {
        let machine = try board.machine()
        machine.bootargs = append
        let blob = machine.makeDeviceTree().blob()
        FileHandle.standardOutput.write(Data(blob))
    }
}
