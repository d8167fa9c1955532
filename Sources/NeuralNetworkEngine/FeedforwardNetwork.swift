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
/// 5. After the chunks, Theta_grad(1) = delta(2)ᵀ · [1 X] by the sparse
///    loops or BLAS, and the shares added up in chunk order.
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
    let shapes = (1..<layerSizes.count).map { (rows: layerSizes[$0], columns: layerSizes[$0 - 1] + 1) }
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
    for start in stride(from: 0, to: workspace.chunks, by: workspace.wave) {
      let wave = start..<min(start + workspace.wave, workspace.chunks)
      workspace.forEachChunk(in: wave, unitsPerExample: workspace.zStride[2]) { chunk, examples in
        forwardPropagation(examples: examples, plan: plan, in: workspace)
        sums[chunk] = outputLayer(examples: examples, bias: L == 2 ? plan.bias : nil, cost: true, in: workspace)
        backpropagation(slot: chunk - start, examples: examples, in: workspace)
        // Whether this chunk's delta(2) lets the sparse gradient skip 0 · delta.
        let stride2 = workspace.zStride[2]
        workspace.chunkFinite.pointer[chunk] = Double(
          nnl_all_finite(workspace.z[2].pointer + examples.lowerBound * stride2, examples.count * stride2))
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

    return (J, gradient(in: workspace, lambda: lambda))
  }

  /// ``costFunction(y:lambda:in:)`` in a workspace made for this one call.
  /// `firstLayer` chooses how the first layer's products are made (tests
  /// compare the choices); the result is the same to rounding.
  package func costFunction(X: Matrix, y: Matrix, lambda: Double, firstLayer: FirstLayerProducts = .automatic) -> (
    J: Double, grad: Matrix
  ) {
    costFunction(y: y, lambda: lambda, in: NetworkWorkspace(X: X, layerSizes: layerSizes, firstLayer: firstLayer))
  }

  // MARK: - The passes

  /// Checks that the workspace's X fits the input layer, and lays its
  /// buffers out for this network's layers (once per shape).
  private func prepare(_ workspace: NetworkWorkspace) {
    let X = workspace.X
    precondition(
      X.columns + 1 == Theta[1].columns,
      "X has \(X.columns) columns but the input layer has \(Theta[1].columns - 1) unit\(Theta[1].columns == 2 ? "" : "s") "
        + "(Theta1 is \(Theta[1].shape))")
    workspace.prepare(layerSizes: layerSizes)
  }

  /// Each example's target into the workspace: its label (checked to be one
  /// of 1…K) for a classifier, y itself for a linear output.
  private func setTargets(_ y: Matrix, in w: NetworkWorkspace) {
    let m = w.m
    precondition(
      y.count == m && (y.columns == 1 || y.rows == 1),
      "y must be a vector with one entry per row of X (\(m)), not a \(y.shape) matrix")
    let K = Theta[L - 1].rows
    let target = w.targets.pointer
    y.withUnsafeBufferPointer { labels in
      guard let label = labels.baseAddress else { return }
      switch output {
      case .linear:
        precondition(K == 1, "A linear-output network here has one output unit, not \(K)")
        target.update(from: label, count: m)
      case .classifier:
        var i = 0
        while i < m {
          let value = label[i]
          precondition(
            value == value.rounded() && value >= 1 && value <= Double(K),
            "y(\(i + 1)) = \(value) is not a label in 1…\(K)")
          target[i] = value
          i += 1
        }
      }
    }
  }

  /// How pass 1 is made: by the sparse loops, chunk by chunk just before
  /// each chunk's pass 2 (so that its z(2)ᵀ is still in cache), or by BLAS
  /// for every example at once beforehand.
  private struct FirstLayerPlan {
    /// The sparse input and Theta1 packed for it, when the loops are used.
    let sparse: SparseInput?
    let weights: UnsafePointer<Double>?
    /// z(2) one example per row (m × s(2)), when BLAS made it that way round.
    let rows: UnsafePointer<Double>?
    /// The bias still to be added to z(2): zeros after the sparse loops
    /// (which include it), Theta1's first column after BLAS.
    let bias: UnsafePointer<Double>
  }

  /// Pass 1: z(2)ᵀ for every example by BLAS (Theta1(:, 2:end) · Xᵀ), or
  /// the sparse loops made ready (they run in ``forwardPropagation(chunk:examples:plan:in:)``).
  private func firstLayerForward(in w: NetworkWorkspace) -> FirstLayerPlan {
    let m = w.m
    let n = w.X.columns
    let s2 = Theta[1].rows
    let stride2 = w.zStride[2]
    if let sparse = w.sparse, allFinite(Theta[1]) {
      // Theta1's columns padded to the stride with zeros.
      let weights = w.packedWeights.pointer
      Theta[1].withUnsafeBufferPointer { theta in
        for j in 0...n { (weights + j * stride2).update(from: address(theta) + j * s2, count: s2) }
      }
      return FirstLayerPlan(sparse: sparse, weights: weights, rows: nil, bias: w.zeroBias.pointer)
    }
    // OpenBLAS makes Theta1(:, 2:end) · Xᵀ faster for a small first hidden
    // layer and X · Theta1(:, 2:end)ᵀ for a wide one (measured by ex4-bench:
    // 25 units, 20% faster as the first; 100 units, 17% faster as the second,
    // whose result each chunk then transposes in cache).
    let byRows = s2 >= Self.widestHiddenLayerForColumnProducts
    Theta[1].withUnsafeBufferPointer { theta in
      w.X.withUnsafeBufferPointer { x in
        if byRows {
          gemm(
            transposeA: false, transposeB: true, m, s2, n, address(x), m, address(theta) + s2, s2,
            w.firstLayerRows(), m)
        } else {
          gemm(
            transposeA: false, transposeB: true, s2, m, n, address(theta) + s2, s2, address(x), m,
            w.z[2].pointer, stride2)
        }
      }
      w.firstLayerBias.pointer.update(from: address(theta), count: s2)
    }
    return FirstLayerPlan(
      sparse: nil, weights: nil, rows: byRows ? UnsafePointer(w.firstLayerRows()) : nil, bias: w.firstLayerBias.pointer)
  }

  /// Below this many units in the first hidden layer, BLAS makes z(2) as
  /// Theta1(:, 2:end) · Xᵀ; from it on, as X · Theta1(:, 2:end)ᵀ.
  static let widestHiddenLayerForColumnProducts = 64

  /// Pass 2 for one chunk of examples (after the chunk's pass 1 when the
  /// sparse loops make it): a(l)ᵀ = [1; g(z(l)ᵀ)] for each hidden layer
  /// (z(2) plus the plan's bias), and z(l+1)ᵀ = Theta(l) · a(l)ᵀ by BLAS.
  private func forwardPropagation(examples: Range<Int>, plan: FirstLayerPlan, in w: NetworkWorkspace) {
    let first = examples.lowerBound
    let count = examples.count
    if let sparse = plan.sparse, let weights = plan.weights {
      sparse.forward(examples: examples, weights: weights, width: w.zStride[2], into: w.z[2].pointer)
    } else if let rows = plan.rows {
      // This chunk's rows of z(2), one example per column.
      let (m, s2, stride2, z2) = (w.m, w.sizes[2], w.zStride[2], w.z[2].pointer)
      var k = 0
      while k < s2 {
        var i = first
        while i < examples.upperBound {
          z2[i * stride2 + k] = rows[i + k * m]
          i += 1
        }
        k += 1
      }
    }
    let bias = plan.bias
    for l in 2..<L {
      let s = w.sizes[l]
      activate(
        z: w.z[l].pointer + first * w.zStride[l], stride: w.zStride[l],
        bias: l == 2 ? bias : UnsafePointer(w.zeroBias.pointer),
        units: s, examples: count, into: w.a[l].pointer + first * (1 + s))
      let next = Theta[l].rows
      Theta[l].withUnsafeBufferPointer { theta in
        gemm(
          transposeA: false, transposeB: false, next, count, 1 + s, address(theta), next,
          w.a[l].pointer + first * (1 + s), 1 + s, w.z[l + 1].pointer + first * w.zStride[l + 1], w.zStride[l + 1])
      }
    }
  }

  /// a = [1; g(z + bias)] for `examples` consecutive examples.
  private func activate(
    z: UnsafeMutablePointer<Double>, stride: Int, bias: UnsafePointer<Double>, units s: Int, examples: Int,
    into a: UnsafeMutablePointer<Double>
  ) {
    switch hiddenActivation {
    case .sigmoid:
      // The C loop, its vectors running across the examples.
      nnl_hidden_sigmoid(z, stride, bias, s, examples, a, KernelPath.best.rawValue)
    case .tanh:
      var i = 0
      while i < examples {
        let zi = z + i * stride
        let ai = a + i * (1 + s)
        ai[0] = 1
        var k = 0
        while k < s {
          ai[1 + k] = Foundation.tanh(zi[k] + bias[k])
          k += 1
        }
        i += 1
      }
    }
  }

  /// Pass 3 for one chunk: a(L)ᵀ = h(z(L)ᵀ + bias) and, when `cost` is
  /// asked, delta(L)ᵀ = a(L)ᵀ − Yᵀ in place of z(L)ᵀ. Returns the chunk's
  /// share of the cost's sum: Σ Σ [Y .* log(a) + (1 − Y) .* log(1 − a)] for a
  /// classifier, Σ (a − y)² for a linear output (0 without `cost`).
  private func outputLayer(examples: Range<Int>, bias: UnsafePointer<Double>?, cost: Bool, in w: NetworkWorkspace)
    -> Double
  {
    let K = Theta[L - 1].rows
    let stride = w.zStride[L]
    let bias = bias ?? UnsafePointer(w.zeroBias.pointer)
    let target = w.targets.pointer
    let (z, a) = (w.z[L].pointer, w.a[L].pointer)
    let first = examples.lowerBound
    switch output {
    case .classifier:
      // The C loop, across the chunk's examples: a(L), then Octave's
      // y·log(h) + (1 − y)·log(1 − h) for y = 1 and y = 0, one term after
      // another (the other term is 0 · (a finite log), or 0 · (−Inf) = NaN),
      // and delta(L) = a(L) − Y in place of z(L).
      return nnl_classifier_output(
        z + first * stride, stride, bias, K, examples.count, target + first, a + first * K, cost ? 1 : 0, 0,
        KernelPath.best.rawValue)
    case .linear:
      var sum = 0.0
      var i = first
      while i < examples.upperBound {
        let zi = z + i * stride
        let ai = a + i * K
        var k = 0
        while k < K {
          let h = zi[k] + bias[k]
          ai[k] = h
          if cost {
            let d = h - target[i]
            sum += d * d
            zi[k] = d
          }
          k += 1
        }
        i += 1
      }
      return sum
    }
  }

  /// Pass 4 for one chunk: delta(l)ᵀ = (Theta(l)(:, 2:end)ᵀ · delta(l+1)ᵀ)
  /// .* g′ back to l = 2, and the chunk's share of Theta_grad(l) =
  /// delta(l+1)ᵀ · a(l) for l ≥ 2.
  private func backpropagation(slot: Int, examples: Range<Int>, in w: NetworkWorkspace) {
    let first = examples.lowerBound
    let count = examples.count
    for l in stride(from: L - 1, through: 2, by: -1) {
      let s = w.sizes[l]
      let next = Theta[l].rows
      let delta = w.z[l].pointer + first * w.zStride[l]
      let nextDelta = w.z[l + 1].pointer + first * w.zStride[l + 1]
      Theta[l].withUnsafeBufferPointer { theta in
        gemm(
          transposeA: true, transposeB: false, s, count, next, address(theta) + next, next, nextDelta,
          w.zStride[l + 1], delta, w.zStride[l])
      }
      multiplyByActivationGradient(
        delta: delta, stride: w.zStride[l], activations: w.a[l].pointer + first * (1 + s), units: s, examples: count)
      gemm(
        transposeA: false, transposeB: true, next, 1 + s, count, nextDelta, w.zStride[l + 1],
        w.a[l].pointer + first * (1 + s), 1 + s,
        w.partialGradients.pointer + slot * w.partialSize + w.partialOffset[l], next)
    }
  }

  /// delta .*= g′(z), with g′ from the activations a (after their bias
  /// row): a(1 − a) for the sigmoid, 1 − a² for tanh.
  private func multiplyByActivationGradient(
    delta: UnsafeMutablePointer<Double>, stride: Int, activations a: UnsafePointer<Double>, units s: Int,
    examples: Int
  ) {
    var i = 0
    while i < examples {
      let di = delta + i * stride
      let ai = a + i * (1 + s) + 1
      var k = 0
      switch hiddenActivation {
      case .sigmoid:
        while k < s {
          di[k] = di[k] * (ai[k] * (1 - ai[k]))
          k += 1
        }
      case .tanh:
        while k < s {
          di[k] = di[k] * (1 - ai[k] * ai[k])
          k += 1
        }
      }
      i += 1
    }
  }

  /// The unrolled gradient: Theta_grad(1) = delta(2)ᵀ · [1 X] by the sparse
  /// loops or BLAS, the others from the chunks' shares, each divided by m
  /// and regularised off the bias column.
  private func gradient(in w: NetworkWorkspace, lambda: Double) -> Matrix {
    let m = w.m
    var grad = [Double](repeating: 0, count: Theta[1...].reduce(0) { $0 + $1.count })
    grad.withUnsafeMutableBufferPointer { g in
      var D = g.baseAddress ?? placeholder
      for l in 1..<L {
        let count = Theta[l].count
        if l == 1 {
          firstLayerGradient(in: w, into: D)
        } else {
          // The chunks' shares, added in chunk order as the waves went.
          D.update(from: w.partialTotal.pointer + w.partialOffset[l], count: count)
        }
        // Divide by m; regularise every column but the bias column.
        let rows = Theta[l].rows
        let r = lambda / Double(m)
        Theta[l].withUnsafeBufferPointer { theta in
          var k = 0
          while k < count {
            D[k] = D[k] / Double(m)
            if k >= rows { D[k] += r * theta[k] }
            k += 1
          }
        }
        D += count
      }
    }
    return Matrix(column: grad)
  }

  /// delta(2)ᵀ · [1 X] into `D` (s(2) × (1 + n)), by the sparse loops or by
  /// BLAS (the bias column as delta(2)ᵀ · ones).
  private func firstLayerGradient(in w: NetworkWorkspace, into D: UnsafeMutablePointer<Double>) {
    let m = w.m
    let n = w.X.columns
    let s2 = Theta[1].rows
    let stride2 = w.zStride[2]
    let delta2 = w.z[2].pointer
    if let sparse = w.sparse, UnsafeBufferPointer(start: w.chunkFinite.pointer, count: w.chunks).allSatisfy({ $0 == 1 })
    {
      let packed = w.packedGradient.pointer
      // Several ranges of columns per core, handed out as the cores come
      // free; each reads delta(2) once, block by block.
      let ranges = sparse.columnRanges(w.gradientPieces)
      let work = { (piece: Int) in
        sparse.backward(columns: ranges[piece], delta: delta2, width: stride2, into: packed)
      }
      if m * stride2 >= 16_384 && ranges.count > 1 {
        NetworkWorkspace.inParallel(ranges.count, work)
      } else {
        for piece in ranges.indices { work(piece) }
      }
      for j in 0...n { (D + j * s2).update(from: packed + j * stride2, count: s2) }
      return
    }
    if m > 0 {
      cblas_dgemv(
        CblasColMajor, CblasNoTrans, blasInt(s2), blasInt(m), 1, delta2, blasInt(stride2), w.ones.pointer, 1, 0, D, 1)
    }
    w.X.withUnsafeBufferPointer { x in
      gemm(transposeA: false, transposeB: false, s2, n, m, delta2, stride2, address(x), m, D + s2, s2)
    }
  }

  /// Σ Theta(:, 2:end).²: every weight but the bias column's, through BLAS.
  private func sumOfSquaresWithoutBiasColumn(_ theta: Matrix) -> Double {
    let count = theta.count - theta.rows
    guard count > 0 else { return 0 }
    return theta.withUnsafeBufferPointer { t in
      cblas_ddot(blasInt(count), address(t) + theta.rows, 1, address(t) + theta.rows, 1)
    }
  }
}

/// The address of a buffer's first element, or a valid address for an empty
/// buffer (no product reads it then: one of its sizes is 0).
private func address(_ buffer: UnsafeBufferPointer<Double>) -> UnsafePointer<Double> {
  buffer.baseAddress ?? UnsafePointer(placeholder)
}

nonisolated(unsafe) private let placeholder = UnsafeMutablePointer<Double>.allocate(capacity: 1)

/// The empty matrix that fills index 0 of the arrays indexed by layer.
private let unused = Matrix.zeros(0, 0)

/// Whether every element is finite (the sparse loops skip 0 · x, which is
/// NaN for an infinite or NaN x; BLAS is used then, to keep the NaN).
private func allFinite(_ A: Matrix) -> Bool {
  A.withUnsafeBufferPointer { allFinite(address($0), count: $0.count) }
}

private func allFinite(_ p: UnsafePointer<Double>, count: Int) -> Bool {
  nnl_all_finite(p, count) != 0
}
