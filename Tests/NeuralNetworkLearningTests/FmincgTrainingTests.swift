import Foundation
import Testing

@testable import NeuralNetworkLearning
import TestSupport

/// The course's training run (400-25-10, λ = 1, MaxIter 50, from
/// `rand('twister', 1)`) on the 8-bit data, compared with the same run in
/// Octave: `fixtures/fmincg/training-8bit.mat`, made by
/// `make_training_fixture.m`.
@Test(
  "fmincg with nnCostFunction follows Octave's training run on the 8-bit data",
  .enabled(if: CourseFile.has("ex4data1-8bit.mat"), CourseFile.missing("ex4data1-8bit.mat")))
func trainingMatchesOctave() throws {
  let octave = try MatFile.read(Fixture.path("fmincg/training-8bit.mat"))
  let expectedfX = try #require(octave["fX"]).values
  let expectedi = try #require(octave["i"])[1]
  let madeBy = String(decoding: try #require(octave["made_by"]).values.map { UInt8($0) }, as: UTF8.self)
  let data = try CourseFile.read("ex4data1-8bit.mat")
  let X = try #require(data["X"])
  let y = try #require(data["y"])

  var random = OctaveRandom(seed: 1)
  let initial = unroll(randInitializeWeights(400, 25, using: &random), randInitializeWeights(25, 10, using: &random))
  let (trained, fX, i) = fmincg(
    { nnCostFunction($0, inputLayerSize: 400, hiddenLayerSize: 25, numLabels: 10, X: X, y: y, lambda: 1) },
    initial, maxIter: 50, progress: .silent)

  #expect(fX.count == expectedfX.count, "entries (Octave's run made by \(madeBy))")
  #expect(Double(i) == expectedi)
  // Rounding differences between BLAS and Octave grow along the run: the
  // first ten agree closely, the last loosely (see fmincg.md).
  for k in 0..<min(10, fX.count, expectedfX.count) {
    #expect(relativeDifference(fX[k], expectedfX[k]) < 1e-9, "entry \(k + 1): \(fX[k]) vs \(expectedfX[k])")
  }
  if let last = fX.last, let expectedLast = expectedfX.last {
    #expect(relativeDifference(last, expectedLast) < 1e-3, "last entry: \(last) vs \(expectedLast)")
  }

  let thetas = roll(trained, into: [(25, 401), (10, 26)])
  let p = predict(thetas[0], thetas[1], X)
  let accuracy = Double(zip(p.values, y.values).filter { $0 == $1 }.count) / Double(X.rows) * 100
  #expect(accuracy >= 94 && accuracy <= 97, "training accuracy \(accuracy)%")
}
