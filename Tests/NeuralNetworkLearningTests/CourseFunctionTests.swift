import Foundation
import Testing

@testable import NeuralNetworkLearning
import TestSupport

@Suite("debugInitializeWeights, computeNumericalGradient, checkNNGradients")
struct CourseFunctionTests {
  @Test("debugInitializeWeights fills fanOut × (1 + fanIn) column by column with sin(k) / 10")
  func debugWeights() {
    let W = debugInitializeWeights(5, 3)
    #expect(W.rows == 5 && W.columns == 4)
    // Octave: reshape(sin(1:20), 5, 4) / 10, so W(2, 1) = sin(2)/10 and W(1, 2) = sin(6)/10.
    #expect(W[1, 1] == sin(1.0) / 10)
    #expect(W[2, 1] == sin(2.0) / 10)
    #expect(W[1, 2] == sin(6.0) / 10)
    #expect(W[5, 4] == sin(20.0) / 10)
    #expect(abs(W[3, 2] - 0.09893582466233818) < 1e-16)  // sin(8)/10
    let X = debugInitializeWeights(5, 2)
    #expect(X.rows == 5 && X.columns == 3)
  }

  @Test("computeNumericalGradient matches a known gradient and keeps theta's shape")
  func numericalGradientOfKnownFunction() {
    // J(θ) = Σ c_k θ_k² + θ1 θ2³: ∂J/∂θ_k = 2 c_k θ_k, plus θ2³ for θ1 and 3 θ1 θ2² for θ2.
    let theta = Matrix([[0.5, -1.25, 2], [0.75, 3, -0.1]])
    let c = [1.0, 2, 3, 4, 5, 6]
    let J = { (t: Matrix) -> Double in
      zip(c, t.values).map { $0 * $1 * $1 }.reduce(0, +) + t[1] * t[2] * t[2] * t[2]
    }
    var exact = Matrix.zeros(2, 3)
    for k in 1...6 { exact[k] = 2 * c[k - 1] * theta[k] }
    exact[1] += theta[2] * theta[2] * theta[2]
    exact[2] += 3 * theta[1] * theta[2] * theta[2]
    let numgrad = computeNumericalGradient(J, theta)
    #expect(numgrad.rows == 2 && numgrad.columns == 3)
    // Central differences are exact for the quadratic terms and off by θ1·e² for θ2³.
    for k in 1...6 {
      #expect(abs(numgrad[k] - exact[k]) < 1e-8, "coordinate \(k): \(numgrad[k]) vs \(exact[k])")
    }
    #expect(abs(numgrad[2] - exact[2]) > 1e-10, "the O(e²) error on θ2 shows e = 1e-4 is used")
  }

  @Test("computeNumericalGradient evaluates (loss2 − loss1) / (2e) with e = 1e-4, one coordinate at a time")
  func numericalGradientOrderOfOperations() {
    var calls: [Matrix] = []
    let theta = Matrix(column: [1, 2])
    let numgrad = computeNumericalGradient(
      { t in
        calls.append(t)
        return t[1] * 3 + t[2] * t[2]
      }, theta)
    #expect(calls.count == 4)
    #expect(calls[0].values == [1 - 1e-4, 2] && calls[1].values == [1 + 1e-4, 2])
    #expect(calls[2].values == [1, 2 - 1e-4] && calls[3].values == [1, 2 + 1e-4])
    let loss1 = (1 - 1e-4) * 3 + 4.0
    let loss2 = (1 + 1e-4) * 3 + 4.0
    #expect(numgrad[1] == (loss2 - loss1) / (2 * 1e-4))
  }

  @Test("checkNNGradients: backpropagation agrees with finite differences (λ = 0 and λ = 3)", arguments: [0.0, 3.0])
  func gradientCheck(lambda: Double) {
    let difference = checkNNGradients(lambda: lambda, quiet: true)
    #expect(difference < 1e-9)
    #expect(difference > 0, "finite differences never agree to the last bit")
    // The same measure, recomputed here from its parts (Octave prints 2.28896e-11 and 2.21135e-11).
    let network = GradientCheckNetwork()
    let grad = network.cost(network.nnParams, lambda: lambda).grad
    let numgrad = computeNumericalGradient({ network.cost($0, lambda: lambda).J }, network.nnParams)
    #expect(relativeDifference(difference, normRelativeDifference(numgrad, grad)) < 1e-12)
    #expect(difference > 1e-11 && difference < 5e-11, "\(difference)")
  }

  @Test("The checkNNGradients network costs 2.100951 at λ = 0 and 2.146360 at λ = 3")
  func gradientCheckNetworkCost() {
    let network = GradientCheckNetwork()
    #expect(network.X.rows == 5 && network.X.columns == 3)
    #expect(network.y.values == [2, 3, 1, 2, 3])
    #expect(network.nnParams.count == 5 * 4 + 3 * 6)
    #expect(abs(network.cost(network.nnParams, lambda: 0).J - 2.100951) < 5e-7)
    #expect(abs(network.cost(network.nnParams, lambda: 3).J - 2.146360) < 5e-7)
  }

  @Test("checkNNGradients prints what Octave prints: disp([numgrad grad]) and the course's lines")
  func gradientCheckReport() {
    let (difference, report) = checkNNGradientsReport(lambda: 0)
    let lines = report.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
    #expect(Array(lines.prefix(38)) == octaveTable)
    let tail =
      "The above two columns you get should be very similar.\n"
      + "(Left-Your Numerical Gradient, Right-Analytical Gradient)\n\n"
      + "If your backpropagation implementation is correct, then \n"
      + "the relative difference will be small (less than 1e-9). \n"
      + "\nRelative Difference: \(String(format: "%g", difference))\n"
    #expect(report.hasSuffix(tail))
    #expect(report.count == octaveTable.map { $0.count + 1 }.reduce(0, +) + tail.count)
    #expect(String(format: "%g", difference).contains("e-11"), "Octave prints 2.28896e-11")
  }

  @Test("octaveDisplay lays matrices out as Octave 7.3's disp does")
  func octaveDisplayLayouts() {
    // Each expected text was printed by Octave 7.3's disp.
    #expect(octaveDisplay(Matrix(column: [0.3, 0.03])) == "   0.300000\n   0.030000\n")
    #expect(octaveDisplay(Matrix(column: [0.3, 3e-3])) == "   3.0000e-01\n   3.0000e-03\n")
    #expect(octaveDisplay(Matrix(column: [3, 0.3])) == "   3.0000\n   0.3000\n")
    #expect(octaveDisplay(Matrix(column: [-100.5, 2.25])) == "  -100.5000\n     2.2500\n")
    #expect(octaveDisplay(Matrix(column: [1000.5, 2.25])) == "   1.0005e+03\n   2.2500e+00\n")
    #expect(octaveDisplay(Matrix(column: [10, 0.5])) == "   10.0000\n    0.5000\n")
    #expect(octaveDisplay(Matrix(column: [0, 1e-3])) == "            0\n   1.0000e-03\n")
    #expect(octaveDisplay(Matrix(column: [0, 0.03])) == "          0\n   0.030000\n")
    #expect(octaveDisplay(Matrix(column: [.nan, 0.3])) == "      NaN\n   0.3000\n")
    #expect(octaveDisplay(Matrix(column: [.infinity, 3e-3])) == "          Inf\n   3.0000e-03\n")
    #expect(octaveDisplay(Matrix(column: [-1, 2, 300])) == "    -1\n     2\n   300\n")
    #expect(octaveDisplay(Matrix(column: [123456, -1])) == "   123456\n       -1\n")
    #expect(octaveDisplay(Matrix(column: [1234567, 1])) == "   1.2346e+06\n   1.0000e+00\n")
    #expect(octaveDisplay(Matrix(column: [.nan, 1])) == "   NaN\n     1\n")
    #expect(octaveDisplay(Matrix(column: [0, 0])) == "   0\n   0\n")
    #expect(octaveDisplay(Matrix([[1.5, -2.25], [3, 4]])) == "   1.5000  -2.2500\n   3.0000   4.0000\n")
  }
}

/// Octave 7.3's `disp([numgrad grad])` in the course's checkNNGradients (λ = 0).
private let octaveTable = [
  "  -9.2783e-03  -9.2783e-03",
  "   8.8991e-03   8.8991e-03",
  "  -8.3601e-03  -8.3601e-03",
  "   7.6281e-03   7.6281e-03",
  "  -6.7480e-03  -6.7480e-03",
  "  -3.0498e-06  -3.0498e-06",
  "   1.4287e-05   1.4287e-05",
  "  -2.5938e-05  -2.5938e-05",
  "   3.6988e-05   3.6988e-05",
  "  -4.6876e-05  -4.6876e-05",
  "  -1.7506e-04  -1.7506e-04",
  "   2.3315e-04   2.3315e-04",
  "  -2.8747e-04  -2.8747e-04",
  "   3.3532e-04   3.3532e-04",
  "  -3.7622e-04  -3.7622e-04",
  "  -9.6266e-05  -9.6266e-05",
  "   1.1798e-04   1.1798e-04",
  "  -1.3715e-04  -1.3715e-04",
  "   1.5325e-04   1.5325e-04",
  "  -1.6656e-04  -1.6656e-04",
  "   3.1454e-01   3.1454e-01",
  "   1.1106e-01   1.1106e-01",
  "   9.7401e-02   9.7401e-02",
  "   1.6409e-01   1.6409e-01",
  "   5.7574e-02   5.7574e-02",
  "   5.0458e-02   5.0458e-02",
  "   1.6457e-01   1.6457e-01",
  "   5.7787e-02   5.7787e-02",
  "   5.0753e-02   5.0753e-02",
  "   1.5834e-01   1.5834e-01",
  "   5.5924e-02   5.5924e-02",
  "   4.9162e-02   4.9162e-02",
  "   1.5113e-01   1.5113e-01",
  "   5.3697e-02   5.3697e-02",
  "   4.7146e-02   4.7146e-02",
  "   1.4957e-01   1.4957e-01",
  "   5.3154e-02   5.3154e-02",
  "   4.6560e-02   4.6560e-02",
]
