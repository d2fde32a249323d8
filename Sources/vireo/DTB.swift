import ArgumentParser
import Board
import Foundation

struct DTB: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Write the board's device tree blob to stdout (read it with dtc -I dtb -O dts)."
    )

    @OptionGroup var board: BoardOptions

    @OptionGroup var images: BootImages

    func run() throws {
        let machine = try board.machine()
        do {
            // Booting places the firmware, kernel and modules, so /chosen lists them at the
            // addresses a run with the same flags would use.
            try images.boot(machine)
        } catch {
            FileHandle.standardError.write("vireo: \(error.description)\n".data(using: .utf8)!)
            throw ExitCode(2)
        }
        let blob = machine.makeDeviceTree().blob()
        FileHandle.standardOutput.write(Data(blob))
    }
}
