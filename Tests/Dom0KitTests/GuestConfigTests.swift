import Dom0Kit
import Testing

@Suite("GuestConfig: xl.cfg files and key=value overrides")
struct GuestConfigTests {
    static func parse(_ text: String) -> Result<GuestConfig, GuestConfigError> {
        do throws(GuestConfigError) {
            return .success(try GuestConfig.parse(text))
        } catch {
            return .failure(error)
        }
    }

    static func error(_ text: String) -> String? {
        if case .failure(let error) = parse(text) { return error.message }
        return nil
    }

    static func load(_ text: String, _ overrides: [String] = []) -> Result<GuestConfig, GuestConfigError> {
        do throws(GuestConfigError) {
            return .success(try GuestConfig.load(text, overrides: overrides))
        } catch {
            return .failure(error)
        }
    }

    static func loadError(_ text: String, _ overrides: [String] = []) -> String? {
        if case .failure(let error) = load(text, overrides) { return error.message }
        return nil
    }

    @Test("A full file: comments, both quotes, numbers in three bases, a multi-line list")
    func fullFile() throws {
        let text = """
            # Linux guest
            name = "linux"      # trailing comment
            kernel = 'Image'
            ramdisk="initrd.cpio"
            extra = "console=hvc0 earlycon=sbi # not a comment"
            memory = 0x80
            vcpus = 02
            weight = 512
            disk = [ 'rootfs.img,vda,w',
                     "data.img,raw,vdb,r",   # the data disk
                     'file:scratch.img,vdc',
                   ]
            type = "pvh"; on_crash = 'preserve'
            builder = "generic"
            type = "hvm"
            """
        let config = try Self.parse(text).get()
        #expect(config.name == "linux")
        #expect(config.kernel == "Image")
        #expect(config.ramdisk == "initrd.cpio")
        #expect(config.extra == "console=hvc0 earlycon=sbi # not a comment")
        #expect(config.commandLine == "console=hvc0 earlycon=sbi # not a comment")
        #expect(config.memoryMiB == 128)
        #expect(config.vcpus == 2)
        #expect(config.weight == 512)
        #expect(config.disks == [
            GuestDisk(image: "rootfs.img", vdev: "vda", writable: true),
            GuestDisk(image: "data.img", vdev: "vdb", writable: false),
            GuestDisk(image: "scratch.img", vdev: "vdc", writable: true),
        ])
        #expect(config.ignoredKeys == ["type", "on_crash", "builder"])
        #expect(config.settings.count == 12)
        #expect(config.settings[0] == GuestConfigSetting(key: "name", value: .string("linux"), origin: .line(2)))
        #expect(config.settings[7].key == "disk")
        #expect(config.settings[7].origin == .line(9))
        #expect(config.settings[8] == GuestConfigSetting(key: "type", value: .string("pvh"), origin: .line(13)))
        #expect(config.settings[9].origin == .line(13))
        #expect(config.settings[11] == GuestConfigSetting(key: "type", value: .string("hvm"), origin: .line(15)))
        #expect(try config.validated() == config)
    }

    @Test("Defaults, minimal files, CRLF line ends, an empty file")
    func defaults() throws {
        let config = try Self.parse("kernel = \"hello.elf\"\r\n").get()
        #expect(config.kernel == "hello.elf")
        #expect(config.name == nil)
        #expect(config.memoryMiB == nil)
        #expect(config.vcpus == 1)
        #expect(config.weight == 256)
        #expect(config.disks.isEmpty)
        #expect(config.commandLine == "")
        #expect(try config.validated().name == "hello")
        #expect(try Self.parse("").get() == GuestConfig())
        #expect(try Self.parse("\n\n# only comments\n;;\n").get() == GuestConfig())
        #expect(GuestConfig(kernel: "k").kernel == "k")
    }

    @Test("Values: escapes, numbers as strings, nested lists, trailing commas, an empty list")
    func values() throws {
        let config = try Self.parse(#"""
            extra = "a\"b\\c\n\t\x41\101\'"
            root = '/dev/vda'
            memory = "64"
            vcpus = '3'
            list = [ 1, [ 'x', [] ], 0x10, 010, ]
            empty = []
            disk = [ ]
            """#).get()
        #expect(config.extra == "a\"b\\c\n\tAA'")
        #expect(config.memoryMiB == 64)
        #expect(config.vcpus == 3)
        #expect(config.disks.isEmpty)
        #expect(config.settings[4].value == .list([.number(1), .list([.string("x"), .list([])]), .number(16), .number(8)]))
        #expect(config.settings[5].value == .list([]))
        #expect(config.commandLine == "root=/dev/vda a\"b\\c\n\tAA'")
    }

    @Test("cmdline replaces root and extra (xl.cfg(5)); a key set twice keeps the last value")
    func cmdlineAndDuplicates() throws {
        let config = try Self.parse("""
            extra = "quiet"
            root = "/dev/vda"
            cmdline = "console=hvc0"
            memory = 32
            memory = 48
            """).get()
        #expect(config.commandLine == "console=hvc0")
        #expect(config.memoryMiB == 48)
        var rootOnly = GuestConfig()
        rootOnly.root = "/dev/vda"
        #expect(rootOnly.commandLine == "root=/dev/vda")
        rootOnly.extra = ""
        #expect(rootOnly.commandLine == "root=/dev/vda")
    }

    @Test("Syntax errors name their line", arguments: [
        ("kernel = \"hello.elf\nname = 'x'", "line 1: unterminated string"),
        ("name = 'a'\nkernel = 'b", "line 2: unterminated string"),
        ("\n\n\n\nextra = \"abc\\", "line 5: unterminated string"),
        ("extra = \"a\\qb\"", "line 1: bad escape '\\q' in string"),
        ("extra = \"a\\xg\"", "line 1: bad escape '\\x' in string"),
        ("extra = \"\\777\"", "line 1: bad escape in string"),
        ("kernel = hello.elf", "line 1: kernel: expected a quoted string, a number or a list, found 'hello.elf'"),
        ("memory = 08", "line 1: memory: expected a quoted string, a number or a list, found '08'"),
        ("memory = -1", "line 1: memory: expected a quoted string, a number or a list, found '-1'"),
        ("memory = 99999999999999999999", "line 1: memory: expected a quoted string, a number or a list, found '99999999999999999999'"),
        ("name 'x'", "line 1: expected '=' after 'name'"),
        ("\nname\n= 'x'", "line 2: expected '=' after 'name'"),
        ("name += 'x'", "line 1: expected '=' after 'name'"),
        ("9lives = 1", "line 1: bad key '9lives'"),
        ("= 1", "line 1: expected a key"),
        ("'name' = 1", "line 1: expected a key"),
        ("name =", "line 1: missing value for 'name'"),
        ("name =\nkernel = 'k'", "line 1: missing value for 'name'"),
        ("name = ;", "line 1: missing value for 'name'"),
        ("name = = 1", "line 1: name: expected a quoted string, a number or a list"),
        ("memory = 64 128", "line 1: unexpected text after the value of 'memory'"),
        ("kernel = 'a' 'b'", "line 1: unexpected text after the value of 'kernel'"),
        ("disk = [ 'a'\n  'b' ]", "line 2: expected ',' or ']' in the list for 'disk'"),
        ("disk = [ 'a' ; 'b' ]", "line 1: expected ',' or ']' in the list for 'disk'"),
        ("disk = [ , 'a' ]", "line 1: expected a value in the list for 'disk'"),
        ("disk = [ 'a', , 'b' ]", "line 1: expected a value in the list for 'disk'"),
        ("\ndisk = [ 'a',\n  'b',\n", "line 2: unterminated list"),
        ("disk = [", "line 1: unterminated list"),
        ("disk = [ x ]", "line 1: disk: expected a quoted string, a number or a list, found 'x'"),
        ("memory = ]", "line 1: memory: expected a quoted string, a number or a list"),
    ])
    func syntaxErrors(text: String, message: String) {
        #expect(Self.error(text) == message)
    }

    @Test("Value errors name their line", arguments: [
        ("\n\nmemory = 'lots'", "line 3: memory must be a number of MiB"),
        ("memory = [64]", "line 1: memory must be a number of MiB"),
        ("memory = 0", "line 1: memory must be from 1 to 1048576 MiB"),
        ("memory = 1048577", "line 1: memory must be from 1 to 1048576 MiB"),
        ("vcpus = 0", "line 1: vcpus must be a number from 1 to 64"),
        ("vcpus = 65", "line 1: vcpus must be a number from 1 to 64"),
        ("vcpus = 'two'", "line 1: vcpus must be a number from 1 to 64"),
        ("weight = 0", "line 1: weight must be a number from 1 to 65535"),
        ("weight = 65536", "line 1: weight must be a number from 1 to 65535"),
        ("name = 5", "line 1: name must be 1 to 32 letters, digits, '.', '_' or '-', not only digits"),
        ("name = '42'", "line 1: name must be 1 to 32 letters, digits, '.', '_' or '-', not only digits"),
        ("name = ''", "line 1: name must be 1 to 32 letters, digits, '.', '_' or '-', not only digits"),
        ("name = 'a b'", "line 1: name must be 1 to 32 letters, digits, '.', '_' or '-', not only digits"),
        ("name = '\(String(repeating: "n", count: 33))'", "line 1: name must be 1 to 32 letters, digits, '.', '_' or '-', not only digits"),
        ("kernel = 5", "line 1: kernel must be a file name in quotes"),
        ("kernel = ''", "line 1: kernel must be a file name in quotes"),
        ("ramdisk = ['a']", "line 1: ramdisk must be a file name in quotes"),
        ("extra = 1", "line 1: extra must be a string in quotes"),
        ("cmdline = []", "line 1: cmdline must be a string in quotes"),
        ("root = 0", "line 1: root must be a string in quotes"),
        ("disk = 'a.img,vda,w'", "line 1: disk must be a list of strings"),
        ("disk = [ 1 ]", "line 1: disk must be a list of strings"),
        ("disk = [ ['a'] ]", "line 1: disk must be a list of strings"),
        ("\ndisk = [ 'a.img' ]", "line 2: disk 'a.img': missing virtual device (IMAGE,VDEV,ACCESS)"),
        ("disk = [ 'a.img,vda,x' ]", "line 1: disk 'a.img,vda,x': access must be r or w"),
        ("disk = [ 'a.img,qcow2,vda,w' ]", "line 1: disk 'a.img,qcow2,vda,w': only raw images are supported"),
        ("disk = [ 'a,b,c,d,e' ]", "line 1: disk 'a,b,c,d,e': too many fields (IMAGE,VDEV,ACCESS)"),
        ("disk = [ ',vda,w' ]", "line 1: disk ',vda,w': missing image"),
        ("disk = [ 'file:,vda,w' ]", "line 1: disk 'file:,vda,w': missing image"),
        ("disk = [ '' ]", "line 1: disk '': missing image"),
        ("disk = [ 'a.img,vd a,w' ]", "line 1: disk 'a.img,vd a,w': bad virtual device 'vd a'"),
        ("disk = [ 'a.img,backend=x' ]", "line 1: disk 'a.img,backend=x': unknown parameter 'backend'"),
    ])
    func valueErrors(text: String, message: String) {
        #expect(Self.error(text) == message)
    }

    @Test("Final checks: missing kernel, a name derived from the kernel, a name that cannot be")
    func validation() throws {
        #expect(Self.loadError("name = 'x'") == "missing kernel")
        #expect(Self.loadError("") == "missing kernel")
        #expect(try Self.load("kernel = 'guests/hello.elf'").get().name == "hello")
        #expect(try Self.load("kernel = 'Image'").get().name == "Image")
        #expect(try Self.load("kernel = 'a.b.c'").get().name == "a.b")
        #expect(try Self.load("kernel = '.hidden'").get().name == ".hidden")
        #expect(try Self.load("kernel = 'guests/hello.elf'\nname = 'mine'").get().name == "mine")
        #expect(Self.loadError("kernel = '123.elf'") == "missing name")
        #expect(Self.loadError("kernel = 'my kernel'") == "missing name")
        #expect(GuestConfigError(.configuration, "missing kernel").description == "missing kernel")
    }

    @Test("Overrides: numbers, literal strings, quoted values, lists; later ones win")
    func overrides() throws {
        let file = """
            name = "linux"
            kernel = "Image"
            memory = 128
            extra = "quiet"
            """
        let config = try Self.load(file, [
            "memory=64", "extra=console=hvc0 earlycon", "vcpus=0x2", "weight='300'",
            "disk=['a.img,vda,w', 'b.img,vdb,r']", "name=\"other\"", "ramdisk=007", "memory=96",
            "type=pv",
        ]).get()
        #expect(config.memoryMiB == 96)
        #expect(config.extra == "console=hvc0 earlycon")
        #expect(config.vcpus == 2)
        #expect(config.weight == 300)
        #expect(config.disks.map(\.image) == ["a.img", "b.img"])
        #expect(config.name == "other")
        #expect(config.ramdisk == "007")
        #expect(config.ignoredKeys == ["type"])
        #expect(config.settings.last == GuestConfigSetting(key: "type", value: .string("pv"), origin: .override("type=pv")))
        // create KERNEL key=value… without a file.
        var bare = GuestConfig(kernel: "guests/ticker.elf")
        try bare.apply(overrides: ["memory=16", "extra="])
        let checked = try bare.validated()
        #expect(checked.name == "ticker")
        #expect(checked.memoryMiB == 16)
        #expect(checked.extra == "")
        // An override can supply the kernel.
        #expect(try Self.load("memory = 8", ["kernel=hello.elf"]).get().kernel == "hello.elf")
    }

    @Test("Override errors name the word", arguments: [
        ("memory=abc", "memory=abc: memory must be a number of MiB"),
        ("memory=", "memory=: memory must be a number of MiB"),
        ("memory=0", "memory=0: memory must be from 1 to 1048576 MiB"),
        ("vcpus=100", "vcpus=100: vcpus must be a number from 1 to 64"),
        ("weight=-5", "weight=-5: weight must be a number from 1 to 65535"),
        ("quiet", "quiet: expected key=value"),
        ("=5", "=5: bad key ''"),
        ("my-key=5", "my-key=5: bad key 'my-key'"),
        ("extra=\"abc", "extra=\"abc: unterminated string"),
        ("extra='a' 'b'", "extra='a' 'b': unexpected text after the value"),
        ("disk=['a.img,vda,w'", "disk=['a.img,vda,w': unterminated list"),
        ("disk=[1]", "disk=[1]: disk must be a list of strings"),
        ("name=12", "name=12: name must be 1 to 32 letters, digits, '.', '_' or '-', not only digits"),
        ("name=\u{1b}x", "name=?x: name must be 1 to 32 letters, digits, '.', '_' or '-', not only digits"),
    ])
    func overrideErrors(word: String, message: String) {
        #expect(Self.loadError("kernel = 'k'", [word]) == message)
    }

    @Test("Disk specifications (xl-disk-configuration(5) forms)", arguments: [
        ("image.img,vda,w", GuestDisk(image: "image.img", vdev: "vda", writable: true)),
        ("IMAGE,vda,r", GuestDisk(image: "IMAGE", vdev: "vda", writable: false)),
        ("a.img,xvda,rw", GuestDisk(image: "a.img", vdev: "xvda", writable: true)),
        ("a.img,vdb,ro", GuestDisk(image: "a.img", vdev: "vdb", writable: false)),
        ("a.img,vdc", GuestDisk(image: "a.img", vdev: "vdc", writable: true)),
        ("a.img,raw,vdd,r", GuestDisk(image: "a.img", vdev: "vdd", writable: false)),
        ("a.img,,vdd,w", GuestDisk(image: "a.img", vdev: "vdd", writable: true)),
        (" a.img , vde , r ", GuestDisk(image: "a.img", vdev: "vde", writable: false)),
        ("file:a.img,vdf,w", GuestDisk(image: "a.img", vdev: "vdf", writable: true)),
        ("a.img,vda,w,", GuestDisk(image: "a.img", vdev: "vda", writable: true)),
        ("vdev=vdb,access=r,format=raw,target=dir/x,y.img", GuestDisk(image: "dir/x,y.img", vdev: "vdb", writable: false)),
        ("a.img,vdev=vdc", GuestDisk(image: "a.img", vdev: "vdc", writable: true)),
    ])
    func disks(spec: String, disk: GuestDisk) throws {
        #expect(try GuestDisk.parse(spec).get() == disk)
    }

    @Test("Configuration from an archive buffer")
    func fromBuffer() throws {
        let bytes = Array("kernel = 'k'\nmemory = 3\n".utf8)
        let result: Result<GuestConfig, GuestConfigError> = bytes.withUnsafeBytes { buffer in
            do throws(GuestConfigError) {
                return .success(try GuestConfig.parse(buffer))
            } catch {
                return .failure(error)
            }
        }
        let config = try result.get()
        #expect(config.memoryMiB == 3)
        #expect(GuestConfig.isValidName("dom-1.test_2"))
        #expect(!GuestConfig.isValidName("0"))
    }
}
