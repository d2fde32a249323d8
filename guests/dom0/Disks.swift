/// Dom0's disks: every virtio block device in its DTB, read whole into the `Library`.
enum Disks {
  static func attach(to library: Library, tree: DeviceTree?) {
  }
}
