import Foundation

/// A problem with a student's input to one of the exercise programs: printed
/// as one line, and the program exits with a non-zero status.
public struct InputError: Error, CustomStringConvertible, Sendable {
  public let description: String
  public init(_ description: String) { self.description = description }
}

/// The folder an exercise program writes its pictures into.
public enum OutputDirectory {
  /// Makes sure `path` is a writable directory, creating it (and its parents)
  /// when missing. Nothing already in it is touched.
  ///
  /// - Throws: ``InputError`` naming the option and the reason.
  public static func prepare(_ path: String, option: String = "--output-dir") throws(InputError) {
    var isDirectory: ObjCBool = false
    if FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory) {
      guard isDirectory.boolValue else { throw InputError("\(option) \(path): exists and is not a directory") }
    } else {
      do {
        try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
      } catch {
        throw InputError("\(option) \(path): cannot be created (\(error.localizedDescription))")
      }
    }
    guard access(path, W_OK) == 0 else { throw InputError("\(option) \(path): is not writable") }
  }

  /// Whether standard output is a terminal.
  public static var standardOutputIsTerminal: Bool { isatty(STDOUT_FILENO) == 1 }
}

/// Seconds elapsed on a `ContinuousClock` duration, as a `Double`.
public func seconds(_ duration: Duration) -> Double {
  Double(duration.components.seconds) + Double(duration.components.attoseconds) * 1e-18
}
