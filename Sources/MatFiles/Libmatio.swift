import OctaveCore
internal import MatIO
import Synchronization

/// Serialises all libmatio calls (the library keeps global state).
private let libmatioLock = Mutex<Bool>(false)

/// Error-level messages libmatio logged since the last ``takeLoggedErrors()``.
private let loggedErrors = Mutex<[String]>([])

/// libmatio's log handler: keeps error and critical messages for the read in
/// progress, drops the rest. libmatio's own default handler would abort the
/// process on an error-level message.
private func recordLibmatioMessage(_ level: Int32, _ message: UnsafeMutablePointer<CChar>?) {
  guard level & (MATIO_LOG_LEVEL_ERROR | MATIO_LOG_LEVEL_CRITICAL) != 0 else { return }
  let text = message.map { String(cString: $0) } ?? "unknown libmatio error"
  loggedErrors.withLock { $0.append(text) }
}

func takeLoggedErrors() -> [String] {
  loggedErrors.withLock { errors in
    defer { errors.removeAll() }
    return errors
  }
}

/// Runs `body` holding the libmatio lock, with the log handler installed.
func withLibmatio<T>(_ body: () throws(MatFileError) -> T) throws(MatFileError) -> T {
  try libmatioLock.withLock { (installed: inout Bool) throws(MatFileError) -> T in
    if !installed {
      _ = Mat_LogInitFunc("NeuralNetworkLearning", recordLibmatioMessage)
      installed = true
    }
    _ = takeLoggedErrors()
    return try body()
  }
}

/// The bytes of the file at `path` (at most `limit` of them) and its
/// identity, through the package's one whole-file reader, with its failures
/// as `MatFileError`s.
func readWholeFile(_ path: String, limit: Int = .max) throws(MatFileError) -> (
  bytes: [UInt8], identity: FileIdentity
) {
  do {
    return try WholeFile.read(path, limit: limit)
  } catch {
    switch error {
    case .notFound: throw MatFileError(path: path, reason: .fileNotFound)
    case .changedWhileReading: throw MatFileError(path: path, reason: .corrupt(error.description))
    default: throw MatFileError(path: path, reason: .unreadable(error.description))
    }
  }
}

/// The variables a file's own bytes describe, checked before libmatio read
/// it (``MAT5Layout``, ``MAT4Layout``).
struct CheckedLayout {
  var variables: [MAT5Layout.Variable]
  /// The format libmatio must read the file as.
  var format: mat_ft
}
