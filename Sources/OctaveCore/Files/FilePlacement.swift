import Foundation
import Synchronization

/// Why a file could not be written (``FilePlacement/write(_:to:overwrite:verify:)``).
package enum FileWriteError: Error, Equatable, CustomStringConvertible {
  /// Something is at the target and replacing it was not asked for.
  case exists
  /// The system's reason (`No space left on device`, `File too large`, …) or
  /// what the check of the written file found.
  case failed(String)

  package var description: String {
    switch self {
    case .exists: "already exists; not replaced"
    case .failed(let why): why
    }
  }
}

/// What is at a path a program is about to write, seen without following a
/// symbolic link at the path itself (`lstat`): the check made before a long
/// computation and the one made when writing are this one check.
package enum WriteTarget: Equatable {
  case free
  case regularFile
  case directory
  /// A symbolic link, dangling or not: writing would replace the link, not
  /// the file it names, so it is refused.
  case symbolicLink
  case special
  /// `lstat` failed for another reason than the path being free (its text).
  case unreachable(String)

  package init(_ path: String) {
    var status = stat()
    if lstat(path, &status) != 0 {
      // ENOTDIR: a part of the folder is a file; creating the file will say so.
      self = errno == ENOENT || errno == ENOTDIR ? .free : .unreachable(String(cString: strerror(errno)))
      return
    }
    switch status.st_mode & S_IFMT {
    case S_IFREG: self = .regularFile
    case S_IFDIR: self = .directory
    case S_IFLNK: self = .symbolicLink
    default: self = .special
    }
  }

  /// Why a write to this target must be refused whatever it would contain,
  /// or nil (free, or a regular file whose replacement the caller decides).
  package var refusal: String? {
    switch self {
    case .free, .regularFile: nil
    case .directory: "it is a folder"
    case .symbolicLink: "it is a symbolic link; the link would be replaced, not the file it names"
    case .special: "it is not a regular file"
    case .unreachable(let why): why
    }
  }
}

/// Writing a file so that a failure leaves nothing half-written and an
/// existing file is never replaced by accident or by a broken copy: the
/// content goes to a temporary name beside the target, is written with every
/// error checked, flushed to the disk (`fsync`), read back and compared, and
/// only then put in place in one step.
package enum FilePlacement {
  /// A name beside `path` that nothing else uses.
  package static func temporaryPath(besides path: String) -> String {
    let url = URL(fileURLWithPath: path)
    let directory = url.deletingLastPathComponent().path
    return directory + "/." + url.lastPathComponent + ".\(getpid()).\(UInt32.random(in: 0...UInt32.max)).partial"
  }

  /// Puts the finished file `temporary` at `path`: replacing what is there
  /// when `overwrite` is true (rename(2)), otherwise only if nothing is there
  /// (link(2) refuses to replace a file, which closes the race between a
  /// caller's earlier existence check and now). Returns nil on success, or
  /// the `errno` of the failure (`EEXIST` when the target appeared meanwhile).
  /// The caller still removes `temporary` afterwards.
  package static func place(_ temporary: String, at path: String, overwrite: Bool) -> Int32? {
    let status = overwrite ? rename(temporary, path) : link(temporary, path)
    return status == 0 ? nil : errno
  }

  /// When set in the environment, a write stops its process (SIGSTOP) with
  /// its temporary file complete and not yet in place: for the tests of what
  /// a signal at that moment leaves behind.
  package static let stopBeforePlacingVariable = "NEURALNETWORKLEARNING_TEST_STOP_BEFORE_PLACING"

  /// Writes `bytes` to `path`: to a temporary file beside it (removed by
  /// ``TemporaryFiles`` if SIGINT, SIGTERM, SIGHUP or SIGXFSZ ends the
  /// process meanwhile), `fsync`ed, read back and compared byte for byte,
  /// handed to `verify` (a reader of the format), and then put in place; the
  /// folder is `fsync`ed last. Any failure leaves `path` as it was.
  ///
  /// - Throws: ``FileWriteError/exists`` when something is at `path` and
  ///   `overwrite` is false, or ``FileWriteError/failed(_:)`` with the
  ///   system's reason.
  package static func write(
    _ bytes: [UInt8], to path: String, overwrite: Bool,
    verify: (String) throws(FileWriteError) -> Void = { _ throws(FileWriteError) in }
  ) throws(FileWriteError) {
    let target = WriteTarget(path)
    if let refusal = target.refusal { throw .failed(refusal) }
    if target != .free && !overwrite { throw .exists }
    let temporary = temporaryPath(besides: path)
    let registration = TemporaryFiles.register(temporary)
    defer {
      unlink(temporary)
      TemporaryFiles.unregister(registration)
    }
    func failure(_ code: Int32) -> FileWriteError { .failed(String(cString: strerror(code))) }
    let descriptor = open(temporary, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0o666)
    if descriptor < 0 { throw failure(errno) }
    var written = 0
    var code: Int32 = 0
    bytes.withUnsafeBytes { buffer in
      while written < buffer.count {
        let count = Foundation.write(descriptor, buffer.baseAddress! + written, buffer.count - written)
        if count < 0 && errno == EINTR { continue }
        if count <= 0 {
          code = count < 0 ? errno : EIO
          return
        }
        written += count
      }
    }
    if code == 0 && fsync(descriptor) != 0 { code = errno }
    if close(descriptor) != 0 && code == 0 { code = errno }
    if code != 0 { throw failure(code) }
    do {
      guard try WholeFile.read(temporary).bytes == bytes else {
        throw FileWriteError.failed("the file read back differs from what was written")
      }
    } catch let error as FileReadError {
      throw .failed("it could not be read back (\(error))")
    } catch {
      throw error as! FileWriteError
    }
    try verify(temporary)
    if getenv(stopBeforePlacingVariable) != nil {
      // The tests' way to catch a write between its temporary file and its
      // target (a stopped process waits for SIGCONT or a signal's end).
      raise(SIGSTOP)
    }
    if let code = place(temporary, at: path, overwrite: overwrite) {
      throw code == EEXIST && !overwrite ? .exists : failure(code)
    }
    syncFolder(of: path)
  }

  /// `fsync` of the folder holding `path`, so that the rename itself is on
  /// the disk; a file system that cannot sync a folder is not an error.
  private static func syncFolder(of path: String) {
    let folder = URL(fileURLWithPath: path).deletingLastPathComponent().path
    let descriptor = open(folder, O_RDONLY | O_DIRECTORY | O_CLOEXEC)
    guard descriptor >= 0 else { return }
    _ = fsync(descriptor)
    close(descriptor)
  }
}

/// The temporary files being written, for a signal handler to remove: if
/// SIGINT, SIGTERM, SIGHUP or SIGXFSZ ends the process during a write, the
/// handler unlinks every registered path (`unlink` is async-signal-safe) and
/// re-raises the signal with its default action, so the process still ends as
/// the signal asks but leaves no `.NAME.<pid>.<n>.partial` file behind.
///
/// The paths live in fixed buffers allocated once and never freed, so the
/// handler reads no memory that another thread could free under it. A
/// handler is installed for a signal only if its disposition was the
/// default one (a signal the process ignores stays ignored).
package enum TemporaryFiles {
  /// Paths registered at once, at most (more writes at once go unregistered).
  static let slots = 16
  /// The longest path registered, with its terminating zero.
  static let slotBytes = Int(PATH_MAX)

  /// Registers `path`; pass the result to ``unregister(_:)``.
  package static func register(_ path: String) -> Int? {
    let bytes = Array(path.utf8)
    guard bytes.count < slotBytes, !bytes.contains(0) else { return nil }
    return registry.withLock { installed -> Int? in
      if !installed {
        // The buffers exist before any handler can look at them.
        _ = (temporaryNames, temporaryInUse)
        for signal in [SIGINT, SIGTERM, SIGHUP, SIGXFSZ] { installCleanup(for: signal) }
        installed = true
      }
      guard let slot = (0..<slots).first(where: { temporaryInUse[$0] == 0 }) else { return nil }
      let buffer = temporaryNames + slot * slotBytes
      bytes.withUnsafeBufferPointer { source in
        source.withMemoryRebound(to: CChar.self) { buffer.update(from: $0.baseAddress!, count: bytes.count) }
      }
      buffer[bytes.count] = 0
      temporaryInUse[slot] = 1
      return slot
    }
  }

  package static func unregister(_ slot: Int?) {
    guard let slot else { return }
    registry.withLock { _ in temporaryInUse[slot] = 0 }
  }

  /// The paths registered now (for tests).
  package static var registered: [String] {
    registry.withLock { _ in
      (0..<slots).filter { temporaryInUse[$0] != 0 }.map { String(cString: temporaryNames + $0 * slotBytes) }
    }
  }

  private static func installCleanup(for signalNumber: Int32) {
    let previous = signal(signalNumber, removeTemporaryFilesAndReraise)
    // SIG_DFL is the null handler; anything else (SIG_IGN, a program's own
    // handler) is put back.
    if let previous, unsafeBitCast(previous, to: Int.self) != 0 { signal(signalNumber, previous) }
  }
}

/// Guards registration; true once the handlers are installed.
private let registry = Mutex<Bool>(false)
nonisolated(unsafe) private let temporaryNames: UnsafeMutablePointer<CChar> = {
  let names = UnsafeMutablePointer<CChar>.allocate(capacity: TemporaryFiles.slots * TemporaryFiles.slotBytes)
  names.initialize(repeating: 0, count: TemporaryFiles.slots * TemporaryFiles.slotBytes)
  return names
}()
nonisolated(unsafe) private let temporaryInUse: UnsafeMutablePointer<Int> = {
  let flags = UnsafeMutablePointer<Int>.allocate(capacity: TemporaryFiles.slots)
  flags.initialize(repeating: 0, count: TemporaryFiles.slots)
  return flags
}()

/// The signal handler: only async-signal-safe calls (`unlink`, `signal`, `raise`).
private func removeTemporaryFilesAndReraise(_ signalNumber: Int32) {
  for slot in 0..<TemporaryFiles.slots where temporaryInUse[slot] != 0 {
    unlink(temporaryNames + slot * TemporaryFiles.slotBytes)
  }
  signal(signalNumber, SIG_DFL)
  raise(signalNumber)
}
