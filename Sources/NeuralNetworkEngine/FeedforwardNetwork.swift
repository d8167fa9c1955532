import OctaveCore
internal import CBLAS
internal import _NeuralNetworkKernels
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
///
/// ## How it is computed
///
/// The per-example quantities live in a ``NetworkWorkspace`` that the caller
/// keeps between calls with the same X (``NetworkEvaluator`` does), one example per column
/// (z(l)ᵀ, a(l)ᵀ, delta(l)ᵀ), and the examples are taken in fixed chunks,
/// shared between the cores:
///
/// 1. z(2)ᵀ: when X is mostly zeros, by the sparse
///    loops over the non-zeros of [1 X] (``SparseInput``), chunk by chunk
///    just before pass 2; otherwise by one BLAS product, Theta1(:, 2:end) ·
///    Xᵀ, or X · Theta1(:, 2:end)ᵀ transposed chunk by chunk for a wide
///    layer, with Theta1's bias column added in pass 2. `[1 X]` is never formed.
/// 2. For each hidden layer, one pass makes a(l)ᵀ = [1; g(z(l)ᵀ)], then BLAS
///    the next z(l+1)ᵀ = Theta(l) · a(l)ᵀ for the chunk.
/// 3. One pass over the output layer computes a(L), the chunk's share of the
///    cost's sum and delta(L) = a(L) − Y together, with Y read from the
///    labels, never formed.
/// 4. Back through the layers: BLAS for Theta(l)(:, 2:end)ᵀ · delta(l+1)ᵀ,
///    one pass multiplying by g′ (from a(l): a(1 − a) or 1 − a²), and BLAS
///    for the chunk's share of each Theta_grad(l), l ≥ 2.
/// 5. Theta_grad(1) = delta(2)ᵀ · [1 X] by the sparse loops or BLAS, and
///    the shares added up in chunk order. The sparse loops' pieces (ranges
///    of columns) share the chunks' pass: a core with no chunk left starts
///    on them, each block of examples once its chunks are done, so neither
///    core waits for the other's last chunk. BLAS's product comes after.
///
/// The chunks depend only on m and the layer sizes, so results do not depend
/// on the number of cores. They agree with the formulas above computed
/// matrix by matrix to about 1e-15 relative (the additions are in another
/// order; gradient entries that are sums with much cancellation, like those
/// of trained weights, agree to about 1e-12). On a processor with AVX2 or
/// AVX-512 (``KernelPath/best``) the sigmoid's exp is vectorised (a table of
/// 2^(j/16) and a polynomial, ``logistic``) and so is the cross-entropy's log
/// (within 1 ulp); where a unit saturates the exp is the C library's, so that
/// the cross-entropy is evaluated with Octave's saturation exactly:
/// 0 · log(0) is NaN, log(0) is −Inf.
package struct FeedforwardNetwork {
  /// The activation g of every hidden unit.
  package enum HiddenActivation: Sendable {
    /// g(z) = 1 / (1 + e^(−z)), g′(z) = g(z)(1 − g(z)): the course's network.
    case sigmoid
    /// g(z) = tanh(z), g′(z) = 1 − tanh²(z): the linear-output bonus.
    case tanh
  }

  /// What the output layer computes and which cost it is trained on.
  package enum Output: Sendable {
    /// K sigmoid units scored by the cross-entropy against one-hot labels 1…K.
    case classifier
    /// Linear units scored by half the mean squared error against y.
    case linear
  }

  /// `Theta[l]` carries layer l to layer l + 1; `Theta[0]` is unused.
  package let Theta: [Matrix]
  let hiddenActivation: HiddenActivation
  let output: Output

  /// The number of layers, L, counting the input and output layers.
  package var L: Int { Theta.count }

  /// s(1) … s(L), the units of each layer without its bias unit (0-based here).
  package var layerSizes: [Int] { [Theta[1].columns - 1] + Theta[1...].map(\.rows) }

  /// The network with weights `[Theta1, Theta2, …]`.
  ///
  /// - Precondition: there is at least one matrix and each one's columns are
  ///   one more than the previous one's rows.
  package init(Theta weights: [Matrix], hiddenActivation: HiddenActivation, output: Output) {
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
  package init(unrolled nnParams: Matrix, layerSizes: [Int], hiddenActivation: HiddenActivation, output: Output) {
    precondition(layerSizes.count >= 2, "A network needs an input and an output layer")
    precondition(
      nnParams.columns == 1 || nnParams.rows == 1,
      "nn_params must be a vector (the unrolled weights), not a \(nnParams.shape) matrix")
    let shapes: [(rows: Int, columns: Int)] = (1..<layerSizes.count).map { l in
      (rows: layerSizes[l], columns: layerSizes[l - 1] + 1)
    }
    self.init(Theta: roll(nnParams, into: shapes), hiddenActivation: hiddenActivation, output: output)
  }

  /// The output layer's activations a(L), m × K: h_Θ(x) for every row x of
  /// the workspace's X.
  package func hypothesis(in workspace: NetworkWorkspace) -> Matrix {
    prepare(workspace)
    let plan = firstLayerForward(in: workspace)
    workspace.forEachChunk(unitsPerExample: workspace.zStride[2]) { _, examples in
      forwardPropagation(examples: examples, plan: plan, in: workspace)
      _ = outputLayer(examples: examples, bias: L == 2 ? plan.bias : nil, cost: false, in: workspace)
    }
    // a(L)ᵀ is K × m: transposed back to one example per row.
    let h = workspace.a[L]
    return Matrix(
      rows: Theta[L - 1].rows, columns: workspace.m,
      values: Array(UnsafeBufferPointer(start: h.pointer, count: h.count))
    )
    .transposed()
  }

  /// ``hypothesis(in:)`` in a workspace made for this one call.
  package func hypothesis(_ X: Matrix, firstLayer: FirstLayerProducts = .automatic) -> Matrix {
    hypothesis(in: NetworkWorkspace(X: X, layerSizes: layerSizes, firstLayer: firstLayer))
  }

  /// The regularised cost J and its gradient, unrolled like the weights, for
  /// the workspace's X and the targets `y`.
  package func costFunction(y: Matrix, lambda: Double, in workspace: NetworkWorkspace) -> (J: Double, grad: Matrix) {
    prepare(workspace)
    let m = workspace.m
    setTargets(y, in: workspace)

    // Passes 1 to 4, the first layer's products apart, chunk by chunk.
    let plan = firstLayerForward(in: workspace)
    let sums = workspace.chunkSums.pointer
    // A wave of chunks at a time (NetworkWorkspace.wave): each chunk's share
    // of Theta_grad(l), l ≥ 2, goes to its slot, then the wave's shares are
    // added to the running total in chunk order.
    let total = workspace.partialTotal.pointer
    let size = workspace.partialSize
    total.update(repeating: 0, count: size)
    // With a single wave, the sparse loops' pieces of Theta_grad(1) (pass 5)
    // run in the chunks' pass: a core with no chunk left to take starts on
    // them, each piece taking the blocks of delta(2) whose chunks are done,
    // instead of both cores waiting for the last chunk. The same sums in
    // the same order either way.
    let gradientPieces = workspace.wave >= workspace.chunks ? sparseGradientPieces(in: workspace) : nil
    for start in stride(from: 0, to: workspace.chunks, by: workspace.wave) {
      let wave = start..<min(start + workspace.wave, workspace.chunks)
      let chunk = { (chunk: Int, examples: Range<Int>) in
        forwardPropagation(examples: examples, plan: plan, in: workspace)
        sums[chunk] = outputLayer(examples: examples, bias: L == 2 ? plan.bias : nil, cost: true, in: workspace)
        backpropagation(slot: chunk - start, examples: examples, in: workspace)
        // Whether this chunk's delta(2) lets the sparse gradient skip 0 · delta.
        let stride2 = workspace.zStride[2]
        workspace.chunkFinite.pointer[chunk] = Double(
          nnl_all_finite(workspace.z[2].pointer + examples.lowerBound * stride2, examples.count * stride2))
      }
      if let pieces = gradientPieces {
        workspace.forEachChunk(chunk, thenPieces: pieces.count) { k in
          sparseGradient(columns: pieces[k], asChunksFinish: true, in: workspace)
        }
      } else {
        workspace.forEachChunk(in: wave, unitsPerExample: workspace.zStride[2], chunk)
      }
      for c in wave {
        let share = workspace.partialGradients.pointer + (c - start) * size
        var k = 0
        while k < size {
          total[k] += share[k]
          k += 1
        }
      }
    }
    var dataTerm = 0.0
    for c in 0..<workspace.chunks { dataTerm += sums[c] }

    // Cost: the output kind's data term plus the weight penalty.
    var J: Double
    switch output {
    case .classifier: J = -(1 / Double(m)) * dataTerm
    case .linear: J = (1 / (2 * Double(m))) * dataTerm
    }
    var penalty = 0.0
    for l in 1..<L { penalty += sumOfSquaresWithoutBiasColumn(Theta[l]) }
    J += lambda / (2 * Double(m)) * penalty

    return (J, gradient(in: workspace, lambda: lambda, sparseMade: gradientPieces != nil))
  }

  /// ``costFunction(y:lambda:in:)`` in a workspace made for this one call.
  /// `firstLayer` chooses how the first layer's products are made (tests
  /// compare the choices); the result is the same to rounding.
  package func costFunction(X: Matrix, y: Matrix, lambda: Double, firstLayer: FirstLayerProducts = .automatic) -> (
    J: Double, grad: Matrix
  ) {
    costFunction(y: y, lambda: lambda, in: NetworkWorkspace(X: X, layerSizes: layerSizes, firstLayer: firstLayer))
  }

}

/// The address of a buffer's first element, or a valid address for an empty
/// buffer (no product reads it then: one of its sizes is 0).
func address(_ buffer: UnsafeBufferPointer<Double>) -> UnsafePointer<Double> {
  buffer.baseAddress ?? UnsafePointer(placeholder)
}

nonisolated(unsafe) let placeholder = UnsafeMutablePointer<Double>.allocate(capacity: 1)

/// The empty matrix that fills index 0 of the arrays indexed by layer.
let unused = Matrix.zeros(0, 0)

/// Whether every element is finite (the sparse loops skip 0 · x, which is
/// NaN for an infinite or NaN x; BLAS is used then, to keep the NaN).
func allFinite(_ A: Matrix) -> Bool {
  A.withUnsafeBufferPointer { allFinite(address($0), count: $0.count) }
}

func allFinite(_ p: UnsafePointer<Double>, count: Int) -> Bool {
  nnl_all_finite(p, count) != 0
}
