import Foundation
import Testing

@testable import MatFiles
import OctaveCore
import TestSupport

/// MATLAB v7.3 (HDF5) files in the library: refused by default with a
/// message saying how to enable them, and read in process on request, where
/// Python's hdf5storage files read as Octave reads them (libmatio alone read
/// their class "double" as "doubl" and returned nothing).
struct MAT73Tests {
  static let expected: [String: Matrix] = {
    (try? MatFile.read(Fixture.path("mat73/v7-weights.mat"))) ?? [:]
  }()

  @Test(arguments: ["hdf5storage-weights.mat", "libmatio-weights.mat"])
  func aV73FileIsRefusedByDefault(file: String) throws {
    let path = Fixture.path("mat73/\(file)")
    let error = try #require(throws: MatFileError.self) { try MatFile.read(path) }
    #expect(error == MatFileError(path: path, reason: .mat73NotEnabled))
    #expect(
      error.description
        == "\(path): a MATLAB v7.3 (HDF5) file, not read here: HDF5 can crash on a damaged one, so it is read only "
        + "in a separate process (MatFile.mat73Reading); save it with save -v7 instead")
    #expect(throws: error) { try MatFile.readEach(path) }
    #expect(throws: MatFileError(path: path, variable: nil, reason: .mat73NotEnabled)) {
      try MatFile.read(path, variable: "Theta1")
    }
  }

  @Test(arguments: ["hdf5storage-weights.mat", "libmatio-weights.mat"])
  func aV73FileReadsInProcessWhenAsked(file: String) throws {
    try #require(Self.expected.count == 2)
    let path = Fixture.path("mat73/\(file)")
    let read = try MatFile.$mat73Reading.withValue(.inProcess) { try MatFile.read(path) }
    #expect(read == Self.expected)
  }
}
