import Foundation
import Testing

@testable import ExerciseData
import NeuralNetworkLearning
import TestSupport

/// SHA-256 against the standard's examples, and the course's files recognised by it.
@Suite struct SHA256Tests {
  private func hex(_ text: String) -> String { SHA256.hex(of: Array(text.utf8)) }

  @Test("FIPS 180-4's examples: one block, two blocks, the empty message")
  func standardVectors() {
    #expect(hex("abc") == "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad")
    #expect(hex("") == "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855")
    #expect(
      hex("abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq")
        == "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1")
    #expect(
      hex(
        "abcdefghbcdefghicdefghijdefghijkefghijklfghijklmghijklmnhijklmnoijklmnopjklmnopqklmnopqrlmnopqrsmnopqrstnopqrstu"
      ) == "cf5b16a778af8380036ce59e7b0492370b249b11e8f07a51afac45037afee9d1")
  }

  @Test("a million 'a's, fed in pieces of every awkward size around the 64-byte block")
  func millionAsInPieces() {
    var hash = SHA256()
    var fed = 0
    let sizes = [1, 63, 64, 65, 127, 128, 129, 1000, 4095]
    var k = 0
    while fed < 1_000_000 {
      let size = min(sizes[k % sizes.count], 1_000_000 - fed)
      hash.update([UInt8](repeating: UInt8(ascii: "a"), count: size))
      fed += size
      k += 1
    }
    let digest = hash.finalize().map { String(format: "%02x", $0) }.joined()
    #expect(digest == "cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0")
  }

  @Test(
    "the course's weights file hashes to the SHA-256 coreutils' sha256sum gave for it",
    .enabled(if: CourseFile.has("ex4weights.mat"), CourseFile.missing("ex4weights.mat")))
  func courseWeightsFile() throws {
    #expect(try SHA256.hex(ofFile: CourseFile.path("ex4weights.mat")) == CourseFiles.ex4weightsSHA256)
  }
}

@Suite struct CourseFilesTests {
  @Test(
    "the course's weights are recognised by their file, a copy saved again by their values, a changed copy not at all",
    .enabled(if: CourseFile.has("ex4weights.mat"), CourseFile.missing("ex4weights.mat")))
  func weights() throws {
    let path = CourseFile.path("ex4weights.mat")
    let variables = try MatFile.read(path)
    let Thetas = [variables["Theta1"]!, variables["Theta2"]!]
    #expect(CourseFiles.recogniseWeights(Thetas, path: path) == .course)

    let directory = try TemporaryDirectory()
    let resaved = directory.file("resaved.mat")
    try MatFile.write(["Theta1": Thetas[0], "Theta2": Thetas[1]], to: resaved)
    let reread = try MatFile.read(resaved)
    #expect(CourseFiles.recogniseWeights([reread["Theta1"]!, reread["Theta2"]!], path: resaved) == .courseValues)

    var changed = Thetas[0]
    changed[3, 7] += 1e-9
    let altered = directory.file("altered.mat")
    try MatFile.write(["Theta1": changed, "Theta2": Thetas[1]], to: altered)
    #expect(CourseFiles.recogniseWeights([changed, Thetas[1]], path: altered) == .other)
  }

  @Test(
    "the course's ex5data1.mat is recognised by its bytes, a copy with one byte changed is not",
    .enabled(if: CourseFile.has("ex5data1.mat"), CourseFile.missing("ex5data1.mat")))
  func ex5Data() throws {
    let path = CourseFile.path("ex5data1.mat")
    #expect(CourseFiles.isCourseEx5Data(path))
    var bytes = try Data(contentsOf: URL(fileURLWithPath: path))
    bytes[bytes.count / 2] ^= 1
    let directory = try TemporaryDirectory()
    try bytes.write(to: URL(fileURLWithPath: directory.file("ex5.mat")))
    #expect(!CourseFiles.isCourseEx5Data(directory.file("ex5.mat")))
  }

  @Test("digits laid out as the course's are confirmed only by the course's cost, 0.287629")
  func digits() {
    let y = Matrix(column: (0..<5000).map { Double($0 / 500 == 0 ? 10 : $0 / 500) })
    let X = Matrix(rows: 5000, columns: 400, repeating: 0)
    #expect(CourseFiles.recogniseDigits(X: X, y: y) == .courseLayout)
    #expect(CourseFiles.confirm(.courseLayout, courseWeightsCost: 0.2876291) == .course)
    #expect(
      CourseFiles.confirm(.courseLayout, courseWeightsCost: 0.2908448794) == .courseLayoutOtherValues(cost: "0.290845"))

    if case .other(let why) = CourseFiles.recogniseDigits(X: Matrix(rows: 4999, columns: 400, repeating: 0), y: y) {
      #expect(why.contains("4999×400"))
    } else {
      Issue.record("a 4999×400 X is not the course's layout")
    }
    var shuffled = y
    shuffled[1] = 1
    if case .other(let why) = CourseFiles.recogniseDigits(X: X, y: shuffled) {
      #expect(why.contains("row 1"))
    } else {
      Issue.record("labels out of the course's blocks are not the course's layout")
    }
  }
}
