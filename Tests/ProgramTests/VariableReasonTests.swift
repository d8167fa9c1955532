import Foundation
import Testing

import NeuralNetworkLearning
@testable import ExerciseData
import Pictures
import TestSupport

/// A variable that is in the file but cannot be used as a matrix is reported
/// as what it is, by name, on every path (`--data`, `--weights`,
/// `classify --weights`); before, the whole-file read dropped it and the
/// message called it absent and named what was left ("variable 'Theta1' is
/// absent (the file has Theta2)"). Files: fixtures/weights, made by SciPy.
@Suite(.serialized)
struct VariableReasonTests {
  static let weightsCases: [(String, String)] = [
    (
      "sparse-theta1.mat",
      "variable 'Theta1' is a sparse matrix; only full matrices are supported (save full(Theta1) instead)"
    ),
    ("complex-theta1.mat", "variable 'Theta1' is complex; only real matrices are supported"),
    (
      "struct-weights.mat",
      "variable 'Theta1' is absent (the file has net (a struct)); network weights are Theta1, Theta2, … as ex4 --save "
        + "writes them, each a variable of its own, not inside a struct or cell"
    ),
    (
      "cell-weights.mat",
      "variable 'Theta1' is absent (the file has Thetas (a cell)); network weights are Theta1, Theta2, … as ex4 "
        + "--save writes them, each a variable of its own, not inside a struct or cell"
    ),
  ]

  @Test(arguments: weightsCases)
  func weightsThatAreNotMatricesAreNamedAsSuch(file: String, message: String) throws {
    let path = Fixture.path("weights/\(file)")
    let error = try #require(throws: (any Error).self) { try NetworkWeights.load(path, inputs: 16, labels: 10) }
    #expect("\(error)" == "\(path): \(message)")
  }

  @Test(arguments: weightsCases)
  func ex4AndClassifyNameTheRealReason(file: String, message: String) throws {
    let dir = try TemporaryDirectory()
    let path = Fixture.path("weights/\(file)")
    let data = dir.file("small.mat")
    try MatFile.write(["X": Ex4BadInputTests.X(), "y": Ex4BadInputTests.y()], to: data)
    let ex4 = try ProgramRun.run(
      "ex4", ["--data", data, "--weights", path, "--no-pause", "--seed", "1", "--output-dir", dir.file("out")],
      environment: ["EX4_DATA_DIR": dir.path])
    expectCleanRefusal(ex4, mentioning: ["\(path): \(message)"])
    let picture = dir.file("seven.png")
    try PNGImage.writeGrey(Matrix([[-1, 1, -1], [-1, 1, -1], [-1, 1, -1]]), to: picture, scale: 4)
    let classify = try ProgramRun.run("ex4", ["classify", picture, "--weights", path])
    expectCleanRefusal(classify, mentioning: ["\(path): \(message)"])
  }

  @Test func aSparseOrWrappedDataFileIsNamedAsSuch() throws {
    let dir = try TemporaryDirectory()
    for (file, message) in [
      ("sparse-x.mat", "variable 'X' is a sparse matrix; only full matrices are supported (save full(X) instead)"),
      ("struct-data.mat", "variable 'X' is absent (the file has data (a struct))"),
    ] {
      let path = Fixture.path("weights/\(file)")
      let run = try ProgramRun.run(
        "ex4", ["--data", path, "--no-pause", "--output-dir", dir.file("out")], environment: ["EX4_DATA_DIR": dir.path])
      expectCleanRefusal(run, mentioning: ["\(path): \(message)"])
    }
  }

  /// 25×17×1, as MATLAB may store a slice of a 3-D array: Octave's `load`
  /// reads it as 25×17, and so do we.
  @Test(arguments: ["singleton-theta1.mat", "singleton-theta1-v7.mat"])
  func aTrailingSingletonDimensionIsDropped(file: String) throws {
    let plain = try MatFile.read(Fixture.path("weights/plain-weights.mat"))
    let read = try MatFile.read(Fixture.path("weights/\(file)"), variables: ["Theta1", "Theta2"])
    #expect(read["Theta1"]?.shape == "25×17")
    #expect(read == plain)
    #expect(
      try NetworkWeights.load(Fixture.path("weights/\(file)"), inputs: 16, labels: 10) == [
        plain["Theta1"]!, plain["Theta2"]!,
      ])
  }
}
