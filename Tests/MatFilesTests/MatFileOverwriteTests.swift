import Foundation
import Testing

@testable import MatFiles
import OctaveCore
import TestSupport

/// `MatFile.write` replaces an existing file only when asked to, as the README
/// pairs it with Octave's `save`.
@Suite struct MatFileOverwriteTests {
  /// Without `overwrite:` an existing file is kept and the error says how to
  /// replace it; with `overwrite: true` it is replaced, as Octave's save does.
  @Test func replacingIsAnExplicitChoice() throws {
    let dir = try TemporaryDirectory()
    let path = dir.file("f.mat")
    try MatFile.write(["Theta1": Matrix(row: [1, 2])], to: path)
    let first = try Data(contentsOf: URL(fileURLWithPath: path))
    #expect {
      try MatFile.write(["Theta1": Matrix(row: [3, 4])], to: path)
    } throws: { error in
      "\(error)"
        == "\(path): already exists; not replaced (pass overwrite: true to MatFile.write to replace it, as Octave's save does)"
    }
    #expect(try Data(contentsOf: URL(fileURLWithPath: path)) == first)
    try MatFile.write(["Theta1": Matrix(row: [3, 4])], to: path, overwrite: true)
    #expect(try MatFile.read(path)["Theta1"]?.values == [3, 4])
  }
}
