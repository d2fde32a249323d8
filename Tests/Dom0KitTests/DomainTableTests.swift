import Dom0Kit
import Testing

@Suite("Tables: xl list layout and column tables")
struct DomainTableTests {
    @Test("State flags: one letter per xl state, combinations")
    func flags() {
        #expect(DomainState.running.flags.description == "r-----")
        #expect(DomainState.blocked.flags.description == "-b----")
        #expect(DomainState.paused.flags.description == "--p---")
        #expect(DomainState.shutdown.flags.description == "---s--")
        #expect(DomainState.crashed.flags.description == "----c-")
        #expect(DomainState.dying.flags.description == "-----d")
        #expect(DomainStateFlags().description == "------")
        #expect(DomainStateFlags(running: true, blocked: true, paused: true, shutdown: true, crashed: true, dying: true)
                .description == "rbpscd")
        #expect(DomainStateFlags(paused: true, shutdown: true, crashed: true).description == "--psc-")
    }

    @Test("xl list: the header and rows byte for byte")
    func xlList() {
        #expect(DomainList.header == "Name" + String(repeating: " ", count: 40) + "ID   Mem VCPUs\tState\tTime(s)")
        let dom0 = DomainListEntry(name: "Domain-0", id: 0, memoryMiB: 1024, vcpus: 2,
                                   state: DomainState.running.flags, cpuTimeNanoseconds: 123_449_999_999)
        #expect(DomainList.row(dom0)
                == "Domain-0                                     0  1024     2     r-----     123.4")
        let guest = DomainListEntry(name: "linux", id: 12, memoryMiB: 64, vcpus: 1,
                                    state: DomainState.blocked.flags, cpuTimeNanoseconds: 1_250_000_000)
        #expect(DomainList.row(guest)
                == "linux                                       12    64     1     -b----       1.3")
        let text = DomainList.text([dom0, guest])
        #expect(text == DomainList.header + "\n" + DomainList.row(dom0) + "\n" + DomainList.row(guest) + "\n")
        #expect(DomainList.text([], lineEnding: "\r\n") == DomainList.header + "\r\n")
        // Columns: ID ends at byte 46, Mem at 52, VCPUs at 58; flags at 63..<69; time ends at 79.
        let row = Array(DomainList.row(guest).utf8)
        #expect(row.count == 79)
        #expect(String(decoding: row[63..<69], as: UTF8.self) == "-b----")
        // The header's tabs (8-column stops) put State at 64 and Time(s) at 72..<79.
        let header = Array(DomainList.header.utf8)
        #expect(header.count == 58 + 1 + 5 + 1 + 7)
    }

    @Test("xl list: wide values and long names push the row, as printf does")
    func overflow() {
        let entry = DomainListEntry(name: String(repeating: "n", count: 45), id: 123_456, memoryMiB: 1_048_576,
                                    vcpus: 64, state: DomainState.paused.flags, cpuTimeNanoseconds: 123_456_789_000_000)
        #expect(DomainList.row(entry)
                == String(repeating: "n", count: 45) + " 123456 1048576    64     --p---  123456.8")
    }

    @Test("Seconds with one decimal, rounded to the nearest tenth", arguments: [
        (UInt64(0), "0.0"), (49_999_999, "0.0"), (50_000_000, "0.1"), (1_000_000_000, "1.0"),
        (1_949_999_999, "1.9"), (1_950_000_000, "2.0"), (59_999_999_999, "60.0"),
        (UInt64.max, "18446744073.7"),
    ])
    func seconds(nanoseconds: UInt64, text: String) {
        #expect(DomainList.seconds(nanoseconds) == text)
    }

    @Test("Column table: widths from the widest cell, alignment, no trailing spaces")
    func columnTable() {
        var table = ColumnTable([.init("Name"), .init("Size", .right), .init("Type")])
        table.append(["hello.elf", "1000", "file"])
        table.append(["guests/", "0", "directory"])
        table.append(["a-very-long-name.img", "1048576"])
        table.append(["x", "1", "file", "extra cell dropped"])
        #expect(table.lines() == [
            "Name                     Size  Type",
            "hello.elf                1000  file",
            "guests/                     0  directory",
            "a-very-long-name.img  1048576",
            "x                           1  file",
        ])
        #expect(table.rows.count == 4)
        #expect(table.text() == table.lines().map { $0 + "\n" }.joined())
        var narrow = ColumnTable([.init("ID", .right), .init("Name")], separator: " ")
        narrow.append(["1", "dom0"])
        #expect(narrow.text(lineEnding: "\r\n") == "ID Name\r\n 1 dom0\r\n")
        #expect(ColumnTable([]).lines() == [""])
    }

    @Test("Padding never cuts")
    func padding() {
        #expect(TextPadding.left("ab", width: 4) == "ab  ")
        #expect(TextPadding.right("ab", width: 4) == "  ab")
        #expect(TextPadding.left("abcdef", width: 4) == "abcdef")
        #expect(TextPadding.right("abcdef", width: 4) == "abcdef")
        #expect(TextPadding.left("", width: 0) == "")
    }
}
