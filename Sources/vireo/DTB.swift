import ArgumentParser
import Board
import Foundation

struct DTB: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Write the board's device tree blob to a file or a pipe (read it with dtc -I dtb -O dts).",
        discussion: "`vireo dtb -o board.dtb`, or `vireo dtb | dtc -I dtb -O dts`. Binary is not written to a terminal."
    )

    @Option(name: [.customShort("o"), .long], help: "Write the blob to this file instead of standard output.")
    var output: String?

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
        let blob = machine.deviceTreeBlob()
        if let output {
            guard FileManager.default.createFile(atPath: output, contents: Data(blob)) else {
                FileHandle.standardError.write("vireo: \(output): cannot write the device tree\n".data(using: .utf8)!)
                throw ExitCode(1)
            }
            return
        }
        guard isatty(STDOUT_FILENO) == 0 else {
            FileHandle.standardError.write("vireo: the device tree is binary: give -o FILE, or pipe it (vireo dtb | dtc -I dtb -O dts)\n".data(using: .utf8)!)
            throw ExitCode(2)
        }
        FileHandle.standardOutput.write(Data(blob))
    }
}
