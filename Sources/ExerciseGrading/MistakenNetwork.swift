import NeuralNetworkLearning

/// The course's nnCostFunction written with switches that put common
/// mistakes in: what a student's code returns when it makes one of them.
/// All switches off, it is the reference computation.
///
/// The grader runs each catalogued variant (``catalogue``) on the grader's
/// inputs and names the mistake whose output a student's matches.
package struct MistakenNetwork: Sendable {
  /// How g′(z2) is computed in backpropagation.
  package enum Slope: Sendable { case correct, zTimesOneMinusZ, sigmoid, ofA2 }
  /// The penalty added to J.
  package enum CostPenalty: Sendable { case correct, includesBias, lambdaOverM, none, theta1Only, theta2Only }
  /// The penalty's term added to the gradient.
  package enum GradientPenalty: Sendable {
    case correct, includesBias, lambdaOverTwoM, none, notDividedByM, theta1Only, theta2Only
  }
  /// How the two gradients are put into `grad`.
  package enum Layout: Sendable { case column, row, thetasSwapped, rowByRow }

  /// Which of Theta1 (0) and Theta2 (1) are filled row by row from nnParams.
  package var reshapedRowByRow: Set<Int> = []
  package var labelsNotRecoded = false
  /// The m used in place of X.rows (a hard-coded 5000), or nil.
  package var hardCodedExamples: Double? = nil
  package var costDividedByM = true
  package var costSecondTerm = true
  package var costPenalty = CostPenalty.correct
  package var slope = Slope.correct
  package var delta3TimesSlope = false
  package var delta2KeepsBias = false
  package var gradientDividedByM = true
  package var gradientPenalty = GradientPenalty.correct
  package var layout = Layout.column

  package init() {}

  /// J and grad of the three-layer network, with this variant's mistakes.
  package func cost(
    _ nnParams: Matrix, inputLayerSize: Int, hiddenLayerSize: Int, numLabels: Int, X: Matrix, y: Matrix,
    lambda: Double
  ) -> (J: Double, grad: Matrix) {
    let shapes = [(hiddenLayerSize, inputLayerSize + 1), (numLabels, hiddenLayerSize + 1)]
    var Thetas: [Matrix] = []
    var start = 1
    for (index, (rows, columns)) in shapes.enumerated() {
      let part = nnParams[start...(start + rows * columns - 1)]
      Thetas.append(
        reshapedRowByRow.contains(index) ? reshape(part, columns, rows).transposed() : reshape(part, rows, columns))
      start += rows * columns
    }
    let (Theta1, Theta2) = (Thetas[0], Thetas[1])
    let m = hardCodedExamples ?? Double(X.rows)

    let a1 = X.prependingOnes()
    let z2 = a1 * Theta1.transposed()
    let a2 = sigmoid(z2).prependingOnes()
    let z3 = a2 * Theta2.transposed()
    let a3 = sigmoid(z3)

    let labels = y.values.map { Int($0) }
    let Y =
      labelsNotRecoded
      ? Matrix(rows: X.rows, columns: numLabels, values: (0..<numLabels).flatMap { _ in y.values })
      : Matrix.eye(numLabels)[rows: labels]

    // The cost.
    var logLikelihood = (Y .* log(a3)).sum()
    if costSecondTerm { logLikelihood += ((1 - Y) .* log(1 - a3)).sum() }
    var J = costDividedByM ? -logLikelihood / m : -logLikelihood
    let squares = Theta1[columns: 2...].sumOfSquares() + Theta2[columns: 2...].sumOfSquares()
    switch costPenalty {
    case .correct: J += lambda / (2 * m) * squares
    case .includesBias: J += lambda / (2 * m) * (Theta1.sumOfSquares() + Theta2.sumOfSquares())
    case .lambdaOverM: J += lambda / m * squares
    case .none: break
    case .theta1Only: J += lambda / (2 * m) * Theta1[columns: 2...].sumOfSquares()
    case .theta2Only: J += lambda / (2 * m) * Theta2[columns: 2...].sumOfSquares()
    }

    // Backpropagation.
    var delta3 = a3 - Y
    if delta3TimesSlope { delta3 = delta3 .* sigmoid(z3) .* (1 - sigmoid(z3)) }
    let slopeAtZ2: Matrix
    switch slope {
    case .correct: slopeAtZ2 = sigmoid(z2) .* (1 - sigmoid(z2))
    case .zTimesOneMinusZ: slopeAtZ2 = z2 .* (1 - z2)
    case .sigmoid: slopeAtZ2 = sigmoid(z2)
    case .ofA2:
      let h = sigmoid(z2)
      slopeAtZ2 = sigmoid(h) .* (1 - sigmoid(h))
    }
    let delta2 =
      delta2KeepsBias
      ? (delta3 * Theta2) .* slopeAtZ2.prependingOnes()
      : (delta3 * Theta2[columns: 2...]) .* slopeAtZ2
    var Theta1_grad = delta2.transposed() * a1
    var Theta2_grad = delta3.transposed() * a2
    if gradientDividedByM {
      Theta1_grad = Theta1_grad / m
      Theta2_grad = Theta2_grad / m
    }
    Theta1_grad = Theta1_grad + penaltyGradient(Theta1, isTheta1: true, lambda: lambda, m: m, rows: Theta1_grad.rows)
    Theta2_grad = Theta2_grad + penaltyGradient(Theta2, isTheta1: false, lambda: lambda, m: m, rows: Theta2_grad.rows)

    let grad: Matrix
    switch layout {
    case .column: grad = unroll(Theta1_grad, Theta2_grad)
    case .row: grad = unroll(Theta1_grad, Theta2_grad).transposed()
    case .thetasSwapped: grad = unroll(Theta2_grad, Theta1_grad)
    case .rowByRow: grad = unroll(Theta1_grad.transposed(), Theta2_grad.transposed())
    }
    return (J, grad)
  }

  /// The penalty's gradient for `Theta`, as many rows as the gradient it is
  /// added to has (one more than Theta when delta2 kept the bias: that row
  /// gets no penalty).
  private func penaltyGradient(_ Theta: Matrix, isTheta1: Bool, lambda: Double, m: Double, rows: Int) -> Matrix {
    let withoutBias = Theta[columns: 2...].prependingColumn(of: 0)
    let term: Matrix
    switch gradientPenalty {
    case .correct: term = (lambda / m) * withoutBias
    case .includesBias: term = (lambda / m) * Theta
    case .lambdaOverTwoM: term = (lambda / (2 * m)) * withoutBias
    case .none: term = Matrix.zeros(Theta.rows, Theta.columns)
    case .notDividedByM: term = lambda * withoutBias
    case .theta1Only: term = isTheta1 ? (lambda / m) * withoutBias : Matrix.zeros(Theta.rows, Theta.columns)
    case .theta2Only: term = isTheta1 ? Matrix.zeros(Theta.rows, Theta.columns) : (lambda / m) * withoutBias
    }
    guard rows > Theta.rows else { return term }
    // [zeros(1, columns); term]: a row of zeros on top, through the transpose.
    return term.transposed().prependingColumn(of: 0).transposed()
  }

  /// The sigmoid gradient with a mistake: what `sigmoidGradient(z)` returns
  /// when it is written as `z .* (1 - z)` or as `sigmoid(z)`.
  package static func sigmoidGradient(_ z: Matrix, _ mistake: Mistake) -> Matrix? {
    switch mistake {
    case .sigmoidGradientOfActivation: z .* (1 - z)
    case .sigmoidGradientIsSigmoid: sigmoid(z)
    default: nil
    }
  }

  /// Every variant the grader compares nnCostFunction's outputs with, one
  /// mistake each (a mistake can have more than one form).
  package static let catalogue: [(mistake: Mistake, variant: MistakenNetwork)] = {
    func variant(_ change: (inout MistakenNetwork) -> Void) -> MistakenNetwork {
      var v = MistakenNetwork()
      change(&v)
      return v
    }
    return [
      (.costWithoutOneOverM, variant { $0.costDividedByM = false }),
      (.costWithoutSecondTerm, variant { $0.costSecondTerm = false }),
      (.labelsNotRecoded, variant { $0.labelsNotRecoded = true }),
      (.hardCodedSizes, variant { $0.hardCodedExamples = 5000 }),
      (.reshapedRowByRow, variant { $0.reshapedRowByRow = [0, 1] }),
      (.theta1ReshapedRowByRow, variant { $0.reshapedRowByRow = [0] }),
      (.theta2ReshapedRowByRow, variant { $0.reshapedRowByRow = [1] }),
      (.costRegularisesBias, variant { $0.costPenalty = .includesBias }),
      (.costLambdaOverM, variant { $0.costPenalty = .lambdaOverM }),
      (.costNotRegularised, variant { $0.costPenalty = .none }),
      (.costPenaltyTheta1Only, variant { $0.costPenalty = .theta1Only }),
      (.costPenaltyTheta2Only, variant { $0.costPenalty = .theta2Only }),
      (.sigmoidGradientOfActivation, variant { $0.slope = .zTimesOneMinusZ }),
      (.sigmoidGradientIsSigmoid, variant { $0.slope = .sigmoid }),
      (.sigmoidGradientOfA2, variant { $0.slope = .ofA2 }),
      (.delta3TimesSigmoidGradient, variant { $0.delta3TimesSlope = true }),
      (.delta2KeepsBias, variant { $0.delta2KeepsBias = true }),
      (.gradientNotDividedByM, variant { $0.gradientDividedByM = false }),
      (
        .gradientNotDividedByM,
        variant {
          $0.gradientDividedByM = false
          $0.gradientPenalty = .notDividedByM
        }
      ),
      (.gradientRegularisesBias, variant { $0.gradientPenalty = .includesBias }),
      (.gradientLambdaOverTwoM, variant { $0.gradientPenalty = .lambdaOverTwoM }),
      (.gradientNotRegularised, variant { $0.gradientPenalty = .none }),
      (.gradientPenaltyTheta1Only, variant { $0.gradientPenalty = .theta1Only }),
      (.gradientPenaltyTheta2Only, variant { $0.gradientPenalty = .theta2Only }),
      (.gradientShape, variant { $0.layout = .row }),
      (.gradientThetasSwapped, variant { $0.layout = .thetasSwapped }),
      (.gradientUnrolledRowByRow, variant { $0.layout = .rowByRow }),
    ]
  }()
}
