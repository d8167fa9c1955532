import Foundation

/// What identifies a file's contents: device, inode, size and modification
/// time. A file replaced or written to changes at least one of them.
package struct FileIdentity: Equatable, Sendable {
  package var device: UInt64
  package var inode: UInt64
  package var size: Int64
  package var modified: timespec

  package init(_ status: stat) {
    device = UInt64(status.st_dev)
    inode = UInt64(status.st_ino)
    size = Int64(status.st_size)
    modified = status.st_mtim
  }

  package static func == (a: FileIdentity, b: FileIdentity) -> Bool {
    a.device == b.device && a.inode == b.inode && a.size == b.size
      && a.modified.tv_sec == b.modified.tv_sec && a.modified.tv_nsec == b.modified.tv_nsec
  }
}

/// Why a file could not be read whole.
package enum FileReadError: Error, Equatable, CustomStringConvertible {
  case notFound
  case directory
  /// A FIFO, a device or a socket: reading one could block forever or never end.
  case specialFile(kind: String)
  case unreadable(String)
  case changedWhileReading

  package var description: String {
    switch self {
    case .notFound: "no such file"
    case .directory: "it is a directory"
    case .specialFile(let kind): "it is \(kind), not a regular file"
    case .unreadable(let reason): reason
    case .changedWhileReading: "the file changed while it was being read"
    }
  }
}

/// Reading a whole file, the one way the package does it: refused before it
/// is opened when it is a directory or a special file (opening a FIFO for
/// reading would wait for a writer forever), read with every error checked,
/// and refused when its size changed under the read.
package enum WholeFile {
  /// The bytes of the file at `path` (at most `limit` of them) and its identity.
  package static func read(_ path: String, limit: Int = .max) throws(FileReadError) -> (
    bytes: [UInt8], identity: FileIdentity
  ) {
    func failure(_ code: Int32) -> FileReadError {
      code == ENOENT || code == ENOTDIR ? .notFound : .unreadable(String(cString: strerror(code)))
    }
    var status = stat()
    if stat(path, &status) != 0 { throw failure(errno) }
    switch status.st_mode & S_IFMT {
    case S_IFREG: break
    case S_IFDIR: throw .directory
    case S_IFIFO: throw .specialFile(kind: "a FIFO (named pipe)")
    case S_IFCHR, S_IFBLK: throw .specialFile(kind: "a device")
    case S_IFSOCK: throw .specialFile(kind: "a socket")
    default: throw .specialFile(kind: "not a regular file")
    }
    let descriptor = open(path, O_RDONLY | O_NONBLOCK)
    if descriptor < 0 { throw failure(errno) }
    defer { close(descriptor) }
    if fstat(descriptor, &status) != 0 { throw failure(errno) }
    guard status.st_mode & S_IFMT == S_IFREG else { throw .changedWhileReading }
    let size = min(Int(status.st_size), limit)
    var readError: Int32 = 0
    let bytes = [UInt8](unsafeUninitializedCapacity: size) { buffer, initialized in
      while initialized < size {
        let got = Foundation.read(descriptor, buffer.baseAddress! + initialized, size - initialized)
        if got < 0 && errno == EINTR { continue }
        if got < 0 { readError = errno }
        if got <= 0 { break }
        initialized += got
      }
    }
    if readError != 0 { throw failure(readError) }
    guard bytes.count == size else { throw .changedWhileReading }
    return (bytes, FileIdentity(status))
  }
}
