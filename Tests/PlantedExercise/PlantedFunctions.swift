import Foundation
import NeuralNetworkLearning

// The planted exercise, laid out as a student's module is: three top-level
// functions with the signatures of the course module's, which this module
// imports. Inside this module `sigmoidGradient(…)` must mean this module's
// function, not NeuralNetworkLearning's; the plants whose sigmoidGradient
// is wrong check that nnCostFunction's backpropagation sees the mistake.
//
// nnCostFunction is written as the lecture's loop over examples on plain
// arrays, apart from the grader's vectorised MistakenNetwork, so that a
// recognised mistake is a real match and not the same code run twice.

/// The plant this process runs with (set once, before any function runs).
nonisolated(unsafe) var activePlant = Plant.none

/// g′(z), or one of two mistaken formulas.
public func sigmoidGradient(_ z: Matrix) -> Matrix {
  switch activePlant {
  case .sigmoidGradientOfActivation:
    return z.map { $0 * (1 - $0) }
  case .sigmoidGradientIsSigmoid, .sigmoidGradientIsSigmoidAndGradientRegularisesBias:
    return z.map(logistic)
  default:
    return z.map { logistic($0) * (1 - logistic($0)) }
  }
}

/// Weights in ±epsilon_init with the lecture notes' rule, or mistaken ones.
public func randInitializeWeights(_ L_in: Int, _ L_out: Int, using generator: inout OctaveRandom) -> Matrix {
  let epsilon_init = 6.0.squareRoot() / Double(L_in + L_out).squareRoot()
  switch activePlant {
  case .initialisationSameEveryCall:
    var fixed = OctaveRandom(seed: 1)
    return fixed.rand(L_out, 1 + L_in).map { $0 * 2 * epsilon_init - epsilon_init }
  case .initialisationTooWide:
    return generator.rand(L_out, 1 + L_in).map { $0 * 2 - 1 }
  case .initialisationTransposed:
    return generator.rand(1 + L_in, L_out).map { $0 * 2 * epsilon_init - epsilon_init }
  case .initialisationIgnoresGenerator:
    return Matrix(
      rows: L_out, columns: 1 + L_in,
      values: (0..<(L_out * (1 + L_in))).map { _ in Double.random(in: -epsilon_init...epsilon_init) })
  case .loopInRandomInitialisation:
    return Matrix.zeros(L_out, 1 + L_in).map { _ in endless() }
  default:
    return generator.rand(L_out, 1 + L_in).map { $0 * 2 * epsilon_init - epsilon_init }
  }
}

/// J and grad by a loop over the examples, with the plant's mistake in it.
public func nnCostFunction(
  _ nnParams: Matrix, inputLayerSize: Int, hiddenLayerSize: Int, numLabels: Int, X: Matrix, y: Matrix,
  lambda: Double
) -> (J: Double, grad: Matrix) {
  switch activePlant {
  case .hardCodedSizes, .hardCodedLabels, .delta2KeepsBiasTrap, .labelsNotRecodedTrap:
    return vectorisedCost(nnParams, inputLayerSize, hiddenLayerSize, numLabels, X, y, lambda)
  case .fatalErrorInCost:
    fatalError("nnCostFunction is not finished")
  case .loopInCost:
    var sum = 0.0
    let i = 0
    while i < X.rows { sum += X[i + 1, 1] }  // the increment left out
    return (sum, nnParams)
  default: break
  }
  let (n, h, K) = (inputLayerSize, hiddenLayerSize, numLabels)
  let Theta1 = weights(
    nnParams, from: 1, rows: h, columns: n + 1,
    rowByRow: [.reshapedRowByRow, .theta1ReshapedRowByRow].contains(activePlant))
  let Theta2 = weights(
    nnParams, from: 1 + h * (n + 1), rows: K, columns: h + 1,
    rowByRow: [.reshapedRowByRow, .theta2ReshapedRowByRow].contains(activePlant))
  let m = activePlant == .hardCodedExampleCount ? 5000 : Double(X.rows)
  let keepsBias = activePlant == .delta2KeepsBias
  let firstRow = keepsBias ? 0 : 1  // delta2's first unit: the bias (0) or the first hidden unit (1)

  var J = 0.0
  var Delta1 = [[Double]](repeating: [Double](repeating: 0, count: n + 1), count: h + 1 - firstRow)
  var Delta2 = [[Double]](repeating: [Double](repeating: 0, count: h + 1), count: K)
  for t in 1...X.rows {
    // Forward, one example.
    let a1 = [1.0] + (1...n).map { X[t, $0] }
    let z2 = Theta1.map { dot($0, a1) }
    let a2 = [1.0] + z2.map(logistic)
    let z3 = Theta2.map { dot($0, a2) }
    let a3 = z3.map(logistic)
    let target = (1...K).map { k in activePlant == .labelsNotRecoded ? y[t] : (Int(y[t]) == k ? 1.0 : 0.0) }
    for k in 0..<K {
      J -= target[k] * log(a3[k])
      if activePlant != .costWithoutSecondTerm { J -= (1 - target[k]) * log(1 - a3[k]) }
    }

    // Backward, one example.
    var delta3 = (0..<K).map { a3[$0] - target[$0] }
    if activePlant == .delta3TimesSigmoidGradient {
      delta3 = (0..<K).map { delta3[$0] * a3[$0] * (1 - a3[$0]) }
    }
    let slope =
      activePlant == .sigmoidGradientOfA2
      ? sigmoidGradient(Matrix(column: Array(a2[1...]))).values
      : sigmoidGradient(Matrix(column: z2)).values
    var delta2: [Double] = []
    for j in firstRow...h {
      var back = 0.0
      for k in 0..<K { back += Theta2[k][j] * delta3[k] }
      delta2.append(j == 0 ? back : back * slope[j - 1])
    }
    for i in delta2.indices {
      for j in 0...n { Delta1[i][j] += delta2[i] * a1[j] }
    }
    for k in 0..<K {
      for j in 0...h { Delta2[k][j] += delta3[k] * a2[j] }
    }
  }

  // Average, and the penalty.
  if activePlant != .costWithoutOneOverM && activePlant != .costWithoutOneOverMAndLambdaOverM { J /= m }
  let firstPenalised = activePlant == .costRegularisesBias ? 0 : 1
  var squares = 0.0
  let penalised =
    switch activePlant {
    case .costPenaltyTheta1Only: [Theta1]
    case .costPenaltyTheta2Only: [Theta2]
    default: [Theta1, Theta2]
    }
  for Theta in penalised {
    for row in Theta { for j in firstPenalised..<row.count { squares += row[j] * row[j] } }
  }
  switch activePlant {
  case .costNotRegularised: break
  case .costLambdaOverM, .costWithoutOneOverMAndLambdaOverM: J += lambda / m * squares
  case .costPenaltyOverThreeM: J += lambda / (3 * m) * squares
  default: J += lambda / (2 * m) * squares
  }

  let Theta1_grad = gradient(
    Delta1, Theta1, m: m, lambda: activePlant == .gradientPenaltyTheta2Only ? 0 : lambda)
  let Theta2_grad = gradient(
    Delta2, Theta2, m: m, lambda: activePlant == .gradientPenaltyTheta1Only ? 0 : lambda)
  return (J, unrolled(Theta1_grad, Theta2_grad))
}

/// Delta / m plus the penalty's term, for a Delta with as many rows as Theta
/// or one more at the top (when delta2 kept the bias unit).
private func gradient(_ Delta: [[Double]], _ Theta: [[Double]], m: Double, lambda: Double) -> [[Double]] {
  let extra = Delta.count - Theta.count
  return Delta.indices.map { i in
    Delta[i].indices.map { j in
      var value = Delta[i][j]
      if activePlant != .gradientNotDividedByM { value /= m }
      guard i >= extra else { return value }
      let w = Theta[i - extra][j]
      switch activePlant {
      case .gradientNotRegularised: break
      case .gradientRegularisesBias, .sigmoidGradientIsSigmoidAndGradientRegularisesBias: value += lambda / m * w
      case .gradientLambdaOverTwoM: if j > 0 { value += lambda / (2 * m) * w }
      default: if j > 0 { value += lambda / m * w }
      }
      return value
    }
  }
}

/// Both gradients in one vector, column by column, Theta1_grad first (or as the plant has it).
private func unrolled(_ G1: [[Double]], _ G2: [[Double]]) -> Matrix {
  func columnByColumn(_ G: [[Double]]) -> [Double] {
    (0..<(G.first?.count ?? 0)).flatMap { j in G.map { $0[j] } }
  }
  func rowByRow(_ G: [[Double]]) -> [Double] { G.flatMap { $0 } }
  switch activePlant {
  case .gradientAsRow: return Matrix(row: columnByColumn(G1) + columnByColumn(G2))
  case .gradientThetasSwapped: return Matrix(column: columnByColumn(G2) + columnByColumn(G1))
  case .gradientUnrolledRowByRow: return Matrix(column: rowByRow(G1) + rowByRow(G2))
  default: return Matrix(column: columnByColumn(G1) + columnByColumn(G2))
  }
}

/// A weight matrix as rows of numbers, read from nnParams column by column
/// (or row by row, the planted mistake).
private func weights(_ nnParams: Matrix, from start: Int, rows: Int, columns: Int, rowByRow: Bool) -> [[Double]] {
  (0..<rows).map { i in
    (0..<columns).map { j in
      nnParams[start + (rowByRow ? i * columns + j : j * rows + i)]
    }
  }
}

/// The whole-matrix version, for the mistakes that stop the program: sizes
/// of the course's network written in, and delta3 · Theta2 with its bias column.
private func vectorisedCost(
  _ nnParams: Matrix, _ inputLayerSize: Int, _ hiddenLayerSize: Int, _ numLabels: Int, _ X: Matrix, _ y: Matrix,
  _ lambda: Double
) -> (J: Double, grad: Matrix) {
  let n = activePlant == .hardCodedSizes ? 400 : inputLayerSize
  let h = activePlant == .hardCodedSizes ? 25 : hiddenLayerSize
  let K = activePlant == .hardCodedLabels ? 10 : numLabels
  let Theta1 = reshape(nnParams[1...(h * (n + 1))], h, n + 1)
  let Theta2 = reshape(nnParams[(h * (n + 1) + 1)...], K, h + 1)
  let m = Double(X.rows)
  let a1 = X.prependingOnes()
  let z2 = a1 * Theta1.transposed()
  let a2 = sigmoid(z2).prependingOnes()
  let a3 = sigmoid(a2 * Theta2.transposed())
  let Y = Matrix.eye(K)[rows: y.values.map { Int($0) }]
  let J =
    activePlant == .labelsNotRecodedTrap
    ? -(y .* log(a3) + (1 - y) .* log(1 - a3)).sum() / m
    : -(Y .* log(a3) + (1 - Y) .* log(1 - a3)).sum() / m
  let delta3 = a3 - Y
  let delta2 = (delta3 * Theta2) .* sigmoidGradient(z2)
  let grad = unroll(delta2.transposed() * a1 / m, delta3.transposed() * a2 / m)
  return (J, grad)
}

private func dot(_ a: [Double], _ b: [Double]) -> Double {
  zip(a, b).reduce(0) { $0 + $1.0 * $1.1 }
}

private func logistic(_ z: Double) -> Double { 1 / (1 + exp(-z)) }

/// A loop that never ends (and that the optimiser cannot drop: it yields a value).
func endless() -> Double {
  var x = 0.0
  while x >= 0 { x += 1 }
  return x
}
