/// Domains from the boot modules the board lists under /chosen (DESIGN §2 `--module
/// FILE[,ARGS]`; Xen's multiboot modules). Options in ARGS are FirmwareKit's
/// `ModuleOptions`.
extension Hypervisor {
    /// One domain per boot module: the first is Dom0. ARGS become the guest's
    /// /chosen/bootargs; `mem=`, `vcpus=`, `weight=` and `name=` in them are also read here.
    func createDomainsFromModules() {
        if platform.modules.isEmpty {
            Log.line("vireo: no guest: boot modules (/chosen/module@...) are empty; nothing to run")
            powerOff(2)
        }
        // A domain's id is its module's position, so Dom0 is always the first module: when
        // that one fails to load, no other guest inherits Dom0's place.
        nextDomainID = UInt64(platform.modules.count)
        let modules = platform.modules
        func bytes(_ i: Int) -> UnsafeRawBufferPointer {
            UnsafeRawBufferPointer(start: UnsafeRawPointer(bitPattern: UInt(modules[i].address)), count: Int(modules[i].size))
        }
        for (index, m) in modules.enumerated() {
            let id = UInt64(index)
            let options = ModuleOptions(m.args, defaultName: id == 0 ? "dom0" : "dom" + Format.dec(id))
            if options.ramdisk {
                if index == 0 { Log.put("vireo: module at " + Format.hex(m.address) + ": a ramdisk with no kernel before it\n") }
                continue
            }
            let image = bytes(index)
            if let bad = options.error {
                Log.put("vireo: module at " + Format.hex(m.address) + " (" + options.name + "): bad option " + bad + "\n")
                continue
            }
            // The next module, when it says `ramdisk`, is this kernel's initrd.
            var initrd: UnsafeRawBufferPointer? = nil
            if index + 1 < modules.count, ModuleOptions(modules[index + 1].args, defaultName: "").ramdisk { initrd = bytes(index + 1) }
            if let reason = createDomain(id: id, name: options.name, image: image, bootargs: m.args,
                                         memory: options.memory ?? Hypervisor.defaultMemory, vcpus: options.vcpus,
                                         weight: options.weight, direct: options.direct && id == 0, initrd: initrd) {
                Log.put("vireo: module at " + Format.hex(m.address) + " (" + options.name + "): " + reason + "\n")
            }
        }
    }
}
