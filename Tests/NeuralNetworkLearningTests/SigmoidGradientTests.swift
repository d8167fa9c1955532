import Foundation
import Testing

@testable import NeuralNetworkLearning
import TestSupport

@Suite("sigmoid and sigmoidGradient")
struct SigmoidGradientTests {
  @Test("sigmoidGradient([-1 -0.5 0 0.5 1]) prints the course's values")
  func courseVector() {
    let g = sigmoidGradient(Matrix([[-1, -0.5, 0, 0.5, 1]]))
    #expect(g.rows == 1 && g.columns == 5)
    let course = [0.196612, 0.235004, 0.250000, 0.235004, 0.196612]
    for (k, expected) in course.enumerated() {
      #expect(abs(g[k + 1] - expected) <= 5e-7, "element \(k + 1): \(g[k + 1]) vs \(expected)")
    }
  }

  @Test("sigmoidGradient of single numbers: 0.25 at 0 exactly, and the published values at 1 and 5")
  func scalars() {
    #expect(sigmoidGradient(0) == 0.25)
    #expect(abs(sigmoidGradient(1) - 0.19661193) < 1e-8)
    #expect(abs(sigmoidGradient(5) - 0.0066480567) < 1e-10)
    // g'(z) = e^(-z) / (1 + e^(-z))^2 is the same function written otherwise; g(z)(1 - g(z)) loses about
    // log10(1 / (1 - g)) digits to cancellation when g is near 1 (1e-12 relative at z = 12).
    for z in [-7.5, -2, -0.3, 0.01, 3, 12] {
      #expect(relativeDifference(sigmoidGradient(z), exp(-z) / ((1 + exp(-z)) * (1 + exp(-z)))) < 1e-11)
    }
  }

  @Test("The matrix forms keep the shape and agree with the scalar forms element by element")
  func matrixForms() {
    let z = Matrix([[-3, 0.5, 40], [0, -1, 2]])
    let g = sigmoid(z)
    let d = sigmoidGradient(z)
    #expect(g.rows == 2 && g.columns == 3 && d.rows == 2 && d.columns == 3)
    for k in 1...6 {
      #expect(g[k] == sigmoid(z[k]))
      #expect(d[k] == sigmoidGradient(z[k]))
    }
    #expect(sigmoid(0) == 0.5)
    #expect(abs(sigmoid(1) - 0.7310585786300049) < 1e-16)
    #expect(sigmoid(40) == 1, "the sigmoid saturates to exactly 1 in floating point, as in Octave")
  }
}
