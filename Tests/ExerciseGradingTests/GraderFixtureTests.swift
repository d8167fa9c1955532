import Foundation
import Testing

import ExerciseGrading
import ExercisePrograms
import NeuralNetworkLearning
import TestSupport

/// The grader's expected values, which come from the reference
/// implementation, against Octave's (`fixtures/grader/grader.mat`, made by
/// `make_grader_fixture.m` with `fixtures/nn/nnCostFunction.m`).
@Suite("The grader's inputs and expected values agree with Octave")
struct GraderFixtureTests {
  let fixture: [String: Matrix]

  init() throws {
    fixture = try MatFile.read(Fixture.path("grader/grader.mat"))
  }

  func variable(_ name: String) throws -> Matrix {
    try #require(fixture[name], "grader.mat has no \(name)")
  }

  @Test("X, Xm, ym and t are Octave's, bit for bit")
  func inputs() throws {
    // Both sides call the C library's sin and cos on the same integers and
    // scale with one rounded operation each, so they must agree exactly.
    #expect(try variable("X") == GraderInputs.X)
    #expect(try variable("Xm") == GraderInputs.Xm)
    #expect(try variable("ym") == GraderInputs.ym)
    #expect(try variable("t") == GraderInputs.t)
    #expect(GraderInputs.t.count == 4 * 3 + 4 * 5)
  }

  // The bound: each value is a short sum (at most 16 examples × 5 terms) of
  // products of numbers below 3 in size, computed by BLAS in Swift and by
  // Octave's BLAS in Octave, possibly in other orders. That changes the
  // result by a few units in the last place of the largest term, under
  // 1e-13 relative; 1e-12 leaves room and is still a thousand times tighter
  // than the grader's own tolerance (1e-9), so it would catch anything that
  // could change a grade.
  static let bound = 1e-12

  @Test("sigmoidGradient(X), J and grad for the five parts match Octave's to 1e-12")
  func expectedValues() throws {
    let reference = ReferenceFunctions()
    expectClose(
      reference.sigmoidGradient(GraderInputs.X), try variable("sigmoid_gradient"), tolerance: Self.bound,
      "sigmoidGradient")
    let cases: [(lambda: Double, J: String, grad: String?)] = [
      (0, "J_cost", nil), (1.5, "J_regularized_cost", nil), (0, "J_gradient", "grad"),
      (1.5, "J_regularized_gradient", "grad_regularized"),
    ]
    for (lambda, JName, gradName) in cases {
      let (J, grad) = reference.nnCostFunction(
        GraderInputs.t, inputLayerSize: 2, hiddenLayerSize: 4, numLabels: 4, X: GraderInputs.Xm, y: GraderInputs.ym,
        lambda: lambda)
      let octaveJ = try variable(JName)[1]
      #expect(relativeDifference(J, octaveJ) <= Self.bound, "\(JName): \(J) vs Octave's \(octaveJ)")
      if let gradName {
        expectClose(grad, try variable(gradName), tolerance: Self.bound, gradName)
      }
    }
  }

  @Test("The grader's tolerance passes the reference and Octave alike, and fails a transposed Theta1_grad")
  func toleranceSeparates() throws {
    let octaveGrad = try variable("grad_regularized")
    let assessment = Assessment(outputs: [:])
    #expect(assessment.assessGradient(octaveGrad, lambda: 1.5) == .correct)
    #expect(assessment.assessCost(try variable("J_regularized_cost")[1], lambda: 1.5) == .correct)
    // Theta1_grad (4×3) read back as 3×4: the same numbers in another order.
    var swapped = octaveGrad
    let block = reshape(octaveGrad[1...12], 4, 3).transposed()
    for k in 1...12 { swapped[k] = block[k] }
    #expect(assessment.assessGradient(swapped, lambda: 1.5) != .correct)
    // A change of one part in a million in one element is caught.
    var nudged = octaveGrad
    nudged[7] *= 1 + 1e-6
    #expect(assessment.assessGradient(nudged, lambda: 1.5) != .correct)
  }
}
