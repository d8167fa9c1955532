import Foundation

/// A fully connected feed-forward network: the one forward and backward pass
/// behind `nnCostFunction`, `nnCostFunctionLinear`, `predict` and `predictLinear`.
///
/// Layers are numbered as in the lecture notes, 1 (the input) to L (the
/// output), with s(l) units in layer l, not counting its bias unit.
/// `Theta[l]`, s(l+1) × (1 + s(l)), carries layer l to layer l + 1; its first
/// column multiplies the bias unit. Every array indexed by layer keeps that
/// numbering and leaves index 0 unused, so `Theta[1]` is Theta1, `a[1]` is
/// a1, `z[2]` is z2 and `delta[3]` is delta3.
///
/// Forward propagation, all m examples at once (one example per row):
///
///     a(1)   = [1 X]                                   m × (1 + s(1))
///     z(l+1) = a(l) · Theta(l)ᵀ                        m × s(l+1)
///     a(l+1) = [1 g(z(l+1))]    (hidden layers)        m × (1 + s(l+1))
///     a(L)   = h(z(L))          (output layer)         m × K
///
/// g is the hidden activation (sigmoid or tanh). h and the cost come from the
/// output kind, with Y (m × K) the targets:
///
/// - classifier: h = sigmoid, Y the labels 1…K of y recoded one-hot (row i
///   has its 1 in column y(i)), and
///   J = −(1/m) Σ Σ [Y .* log(a(L)) + (1 − Y) .* log(1 − a(L))];
/// - linear: h = identity, K = 1, Y = y, and J = (1/(2m)) Σ (a(L) − y)².
///
/// Both add (λ/(2m)) Σₗ Σ Theta(l)(:, 2:end).², every weight but the bias
/// columns. Each output function is paired with the cost whose derivative
/// with respect to z(L) is a(L) − Y, so backpropagation is the same for both:
///
///     delta(L)      = a(L) − Y                                      m × K
///     delta(l)      = (delta(l+1) · Theta(l)(:, 2:end)) .* g′(z(l)) m × s(l), l = L−1 … 2
///     Theta_grad(l) = delta(l+1)ᵀ · a(l) / m  (+ (λ/m)·Theta(l) off the bias column)
///
/// The gradient comes back unrolled, `[Theta_grad(1)(:); Theta_grad(2)(:); …]`.
/// Every product goes through BLAS with the transposes folded into the call.
struct FeedforwardNetwork {
  /// The activation g of every hidden unit.
  enum HiddenActivation: Sendable {
    /// g(z) = 1 / (1 + e^(−z)), g′(z) = g(z)(1 − g(z)): the course's network.
    case sigmoid
    /// g(z) = tanh(z), g′(z) = 1 − tanh²(z): the linear-output bonus.
    case tanh

    /// g(z), elementwise.
    func callAsFunction(_ z: Matrix) -> Matrix {
      switch self {
      case .sigmoid: return NeuralNetworkLearning.sigmoid(z)
      case .tanh: return NeuralNetworkLearning.tanh(z)
      }
    }

    /// g′(z), elementwise.
    func gradient(_ z: Matrix) -> Matrix {
      switch self {
      case .sigmoid: return sigmoidGradient(z)
      case .tanh:
        return z.map {
          let t = Foundation.tanh($0)
          return 1 - t * t
        }
      }
    }
  }

  /// What the output layer computes and which cost it is trained on.
  enum Output: Sendable {
    /// K sigmoid units scored by the cross-entropy against one-hot labels 1…K.
    case classifier
    /// Linear units scored by half the mean squared error against y.
    case linear
  }

  /// `Theta[l]` carries layer l to layer l + 1; `Theta[0]` is unused.
  let Theta: [Matrix]
  let hiddenActivation: HiddenActivation
  let output: Output

  /// The number of layers, L, counting the input and output layers.
  var L: Int { Theta.count }

  /// The network with weights `[Theta1, Theta2, …]`.
  ///
  /// - Precondition: there is at least one matrix and each one's columns are
  ///   one more than the previous one's rows.
  init(Theta weights: [Matrix], hiddenActivation: HiddenActivation, output: Output) {
    precondition(!weights.isEmpty, "A network needs at least one weight matrix")
    for l in weights.indices.dropFirst() {
      precondition(
        weights[l].columns == weights[l - 1].rows + 1,
        "Theta\(l + 1) is \(weights[l].shape) but Theta\(l) is \(weights[l - 1].shape): "
          + "Theta\(l + 1) needs \(weights[l - 1].rows + 1) columns (\(weights[l - 1].rows) units plus the bias)")
    }
    Theta = [unused] + weights
    self.hiddenActivation = hiddenActivation
    self.output = output
  }

  /// The network whose weights are unrolled in `nnParams` as
  /// `[Theta1(:); Theta2(:); …]`, for layers of `layerSizes` units (bias units
  /// not counted): Theta(l) is `layerSizes[l] × (1 + layerSizes[l − 1])`,
  /// 0-based in `layerSizes`.
  init(unrolled nnParams: Matrix, layerSizes: [Int], hiddenActivation: HiddenActivation, output: Output) {
    precondition(layerSizes.count >= 2, "A network needs an input and an output layer")
    precondition(
      nnParams.columns == 1 || nnParams.rows == 1,
      "nn_params must be a vector (the unrolled weights), not a \(nnParams.shape) matrix")
    let shapes = (1..<layerSizes.count).map { (rows: layerSizes[$0], columns: layerSizes[$0 - 1] + 1) }
    self.init(Theta: roll(nnParams, into: shapes), hiddenActivation: hiddenActivation, output: output)
  }

  /// Forward propagation of every row of `X`: `a[1]` … `a[L]` and `z[2]` … `z[L]`.
  func forwardPropagation(_ X: Matrix) -> (a: [Matrix], z: [Matrix]) {
    precondition(
      X.columns + 1 == Theta[1].columns,
      "X has \(X.columns) columns but the input layer has \(Theta[1].columns - 1) unit\(Theta[1].columns == 2 ? "" : "s") "
        + "(Theta1 is \(Theta[1].shape))")
    var a = [unused, X.prependingOnes()]
    var z = [unused, unused]
    for l in 1..<L {
      z.append(product(a[l], Theta[l], transposeB: true))
      if l + 1 < L {
        a.append(hiddenActivation(z[l + 1]).prependingOnes())
      } else {
        switch output {
        case .classifier: a.append(sigmoid(z[l + 1]))
        case .linear: a.append(z[l + 1])
        }
      }
    }
    return (a, z)
  }

  /// The output layer's activations a(L), m × K: h_Θ(x) for every row x of `X`.
  func hypothesis(_ X: Matrix) -> Matrix {
    forwardPropagation(X).a[L]
  }

  /// The regularised cost J and its gradient, unrolled like the weights.
  func costFunction(X: Matrix, y: Matrix, lambda: Double) -> (J: Double, grad: Matrix) {
    let m = X.rows
    let (a, z) = forwardPropagation(X)
    let Y = targets(y, m: m)

    // Cost: the output kind's data term plus the weight penalty.
    var J: Double
    switch output {
    case .classifier:
      J = -(1 / Double(m)) * sumOfColumnSums(a[L].zipMap(Y) { h, y in y * log(h) + (1 - y) * log(1 - h) })
    case .linear:
      J = (1 / (2 * Double(m))) * sumOfColumnSums(a[L].zipMap(Y) { h, y in (h - y) * (h - y) })
    }
    var penalty = 0.0
    for l in 1..<L { penalty += Theta[l][columns: 2...].sumOfSquares() }
    J += lambda / (2 * Double(m)) * penalty

    // Backpropagation.
    var delta = [Matrix](repeating: unused, count: L + 1)
    delta[L] = a[L] - Y
    for l in stride(from: L - 1, through: 2, by: -1) {
      delta[l] = product(delta[l + 1], Theta[l][columns: 2...]) .* hiddenActivation.gradient(z[l])
    }
    var Theta_grad = [unused]
    let r = lambda / Double(m)
    for l in 1..<L {
      var D = product(delta[l + 1], a[l], transposeA: true) / Double(m)
      Theta[l].withUnsafeBufferPointer { theta in
        D.withUnsafeMutableBufferPointer { d in
          for k in Theta[l].rows..<d.count { d[k] += r * theta[k] }
        }
      }
      Theta_grad.append(D)
    }
    return (J, unroll(Array(Theta_grad[1...])))
  }

  /// Y, m × K: the one-hot recoding of the labels for a classifier, y itself
  /// (as a column) for a linear output.
  private func targets(_ y: Matrix, m: Int) -> Matrix {
    precondition(
      y.count == m && (y.columns == 1 || y.rows == 1),
      "y must be a vector with one entry per row of X (\(m)), not a \(y.shape) matrix")
    let K = Theta[L - 1].rows
    switch output {
    case .linear:
      precondition(K == 1, "A linear-output network here has one output unit, not \(K)")
      return y.unrolled
    case .classifier:
      var Y = Matrix.zeros(m, K)
      for i in 1..<(m + 1) {
        let label = y[i]
        precondition(
          label == label.rounded() && label >= 1 && label <= Double(K),
          "y(\(i)) = \(label) is not a label in 1…\(K)")
        Y[i, Int(label)] = 1
      }
      return Y
    }
  }
}

/// The empty matrix that fills index 0 of the arrays indexed by layer.
private let unused = Matrix.zeros(0, 0)

/// Octave's `sum(sum(A))`: each column summed, then the column sums, in order.
private func sumOfColumnSums(_ A: Matrix) -> Double {
  sum(sum(A, 1), 2)[1]
}
