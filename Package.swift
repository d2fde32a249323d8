// swift-tools-version: 6.0
import PackageDescription

/// The board's hot loop lives in BoardCore; exclusivity checks are compiled out there
/// (DESIGN §2 "Speed": registers and RAM are reached through raw pointers only).
let hotLoop: [SwiftSetting] = [
    .unsafeFlags(["-enforce-exclusivity=unchecked", "-Xllvm", "-align-all-functions=6"]),
]

let package = Package(
    name: "Vireo",
    platforms: [.macOS(.v14)],
    products: [
        .executable(name: "vireo", targets: ["vireo"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.5.0"),
    ],
    targets: [
        // ISA facts shared by the board, the firmware and the guests (no Foundation).
        .target(name: "RISCV"),
        // libelf, through pkg-config (Debian: libelf-dev).
        .systemLibrary(
            name: "CLibELF",
            pkgConfig: "libelf",
            providers: [.apt(["libelf-dev"])]
        ),
        .target(name: "VireoELF", dependencies: ["CLibELF"]),
        // ELF and device-tree code for bare metal: also compiled in Embedded Swift mode into
        // the firmware, so it depends on nothing (docs: ../shared/EMBEDDED.md).
        .target(name: "FirmwareKit"),
        // Dom0's tar reader, xl.cfg parser, line editor and shell helpers: also compiled in
        // Embedded Swift mode into the Dom0 kernel, so it depends on nothing.
        .target(name: "Dom0Kit", dependencies: ["RISCV"]),
        // Hart, MMU, PMP, bus and devices: one module so the optimizer sees the hot path.
        .target(name: "BoardCore", dependencies: ["RISCV"], swiftSettings: hotLoop),
        // Machine assembly: memory map, loader, device tree (FirmwareKit's FDTBuilder), run loop,
        // statistics.
        .target(name: "Board", dependencies: ["BoardCore", "VireoELF", "RISCV", "FirmwareKit"]),
        .executableTarget(
            name: "vireo",
            dependencies: [
                "Board",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ]
        ),
        .testTarget(name: "BoardCoreTests", dependencies: ["BoardCore", "RISCV", "TestSupport"]),
        .testTarget(name: "BoardTests", dependencies: ["Board", "VireoELF", "FirmwareKit", "TestSupport"]),
        .testTarget(name: "VireoELFTests", dependencies: ["VireoELF", "TestSupport"]),
        .testTarget(name: "FirmwareKitTests", dependencies: ["FirmwareKit", "VireoELF", "Board", "TestSupport"]),
        .testTarget(name: "Dom0KitTests", dependencies: ["Dom0Kit", "TestSupport"]),
        // Helpers shared by test targets (not part of any product).
        .target(name: "TestSupport", path: "Tests/TestSupport"),
    ],
    swiftLanguageModes: [.v5]
)
