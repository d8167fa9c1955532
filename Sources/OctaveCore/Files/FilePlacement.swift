import Foundation

/// Writing a file so that a failure leaves nothing half-written and an
/// existing file is never replaced by accident: the content goes to a
/// temporary name beside the target, then is put in place in one step.
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
}
