import OctaveCore

/// A problem with a student's input to one of the exercise programs: printed
/// as one line, and the program exits with a non-zero status.
package struct InputError: Error, CustomStringConvertible, Sendable {
  package let description: String
  /// `description` with its control characters spelled out (``printable(_:)``):
  /// a path holding a newline cannot make the error two lines.
  package init(_ description: String) { self.description = printable(description) }
}
