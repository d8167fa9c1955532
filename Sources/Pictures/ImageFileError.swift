import OctaveCore
import Foundation

/// What is wrong with a picture file given to be classified: the file and the
/// problem, in one line for a student, e.g.
/// `scan.pgm: PGM header: the width is missing (the file ends after "P5")`.
public struct ImageFileError: Error, Equatable, Sendable, CustomStringConvertible {
  /// The file's path, as given.
  public let path: String
  /// What is wrong, without the path.
  public let problem: String
  /// Whether the picture was refused for going beyond one of the reader's
  /// limits (its pixels, the memory or scans a JPEG needs) rather than for
  /// being damaged or not a picture: the playground answers the first with
  /// 413 and the second with 400.
  package let isOverLimit: Bool

  package init(path: String, problem: String, isOverLimit: Bool = false) {
    self.path = path
    self.problem = problem
    self.isOverLimit = isOverLimit
  }

  public var description: String { "\(printable(path)): \(problem)" }

  /// Errors are equal when they name the same file and problem: each
  /// problem is thrown from one place, which sets ``isOverLimit`` with it.
  public static func == (a: ImageFileError, b: ImageFileError) -> Bool {
    a.path == b.path && a.problem == b.problem
  }

  /// The whole content of `path`, or the error saying why it cannot be had:
  /// no such file, a directory or special file, not readable.
  package static func contents(of path: String) throws(ImageFileError) -> [UInt8] {
    do {
      return try WholeFile.read(path).bytes
    } catch {
      switch error {
      case .directory: throw ImageFileError(path: path, problem: "is a directory, not a picture")
      case .unreadable(let reason): throw ImageFileError(path: path, problem: "cannot be read (\(reason))")
      default: throw ImageFileError(path: path, problem: error.description)
      }
    }
  }
}
