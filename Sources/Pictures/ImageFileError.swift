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

  package init(path: String, problem: String) {
    self.path = path
    self.problem = problem
  }

  public var description: String { "\(printable(path)): \(problem)" }

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
