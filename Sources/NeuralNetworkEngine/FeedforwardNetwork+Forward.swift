import OctaveCore
internal import CBLAS
internal import _NeuralNetworkKernels
import Foundation

// Passes 1 to 3 of FeedforwardNetwork: the targets, the forward propagation
// layer by layer, and the output layer with its cost.

extension FeedforwardNetwork {
  /// Checks that the workspace's X fits the input layer, and lays its
  /// buffers out for this network's layers (once per shape).
  func prepare(_ workspace: NetworkWorkspace) {
    let X = workspace.X
    precondition(
      X.columns + 1 == Theta[1].columns,
      "X has \(X.columns) columns but the input layer has \(Theta[1].columns - 1) unit\(Theta[1].columns == 2 ? "" : "s") "
        + "(Theta1 is \(Theta[1].shape))")
    workspace.prepare(layerSizes: layerSizes)
  }

  /// Each example's target into the workspace: its label (checked to be one
  /// of 1…K) for a classifier, y itself for a linear output.
  func setTargets(_ y: Matrix, in w: NetworkWorkspace) {
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
        // In 1…K (which also rules out NaN) and whole: adding 2⁵² and taking
        // it away rounds a value in 1…K to a whole number, exactly, so only
        // a whole one comes back unchanged. The loop has no branch to stop
        // on (the copy and the test of 5000 labels took 12–18 µs with a
        // precondition per label, 6–9 µs so); the first bad label is looked
        // for only when there is one, for the message.
        let largest = Double(K)
        func isLabel(_ value: Double) -> Bool {
          value >= 1 && value <= largest && (value + 0x1p52) - 0x1p52 == value
        }
        var allLabels = true
        var i = 0
        while i < m {
          allLabels = allLabels && isLabel(label[i])
          target[i] = label[i]
          i += 1
        }
        if !allLabels, let bad = (0..<m).first(where: { !isLabel(label[$0]) }) {
          preconditionFailure("y(\(bad + 1)) = \(label[bad]) is not a label in 1…\(K)")
        }
      }
    }
  }

  /// How pass 1 is made: by the sparse loops, chunk by chunk just before
  /// each chunk's pass 2 (so that its z(2)ᵀ is still in cache), or by BLAS
  /// for every example at once beforehand.
  struct FirstLayerPlan {
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
  func firstLayerForward(in w: NetworkWorkspace) -> FirstLayerPlan {
    let m = w.m
    let n = w.X.columns
    let s2 = Theta[1].rows
    let stride2 = w.zStride[2]
    if let sparse = w.sparse, allFinite(Theta[1]) {
      // Theta1's columns padded to the stride with zeros, in the sparse form's order.
      let weights = w.packedWeights.pointer
      Theta[1].withUnsafeBufferPointer { theta in
        sparse.packWeights(address(theta), units: s2, width: stride2, into: weights)
      }
      return FirstLayerPlan(sparse: sparse, weights: weights, rows: nil, bias: w.zeroBias.pointer)
    }
    // OpenBLAS makes Theta1(:, 2:end) · Xᵀ faster for a small first hidden
    // layer and X · Theta1(:, 2:end)ᵀ for a wide one, whose result each chunk
    // then transposes in cache (the Performance article gives ex4-bench's
    // measurement).
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
  func forwardPropagation(examples: Range<Int>, plan: FirstLayerPlan, in w: NetworkWorkspace) {
    let first = examples.lowerBound
    let count = examples.count
    if let sparse = plan.sparse, let weights = plan.weights {
      // The chunk's rows of z(2) held delta(2) in the last evaluation, and
      // the gradient's pieces read them on every core. Zeroing them in one
      // run of stores first takes the lines back from the other core
      // together, instead of one at a time as the sparse loops store each
      // example's row between their multiply-adds (the same results; the
      // Performance article gives the measurement).
      (w.z[2].pointer + first * w.zStride[2]).update(repeating: 0, count: count * w.zStride[2])
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
  func activate(
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
  func outputLayer(examples: Range<Int>, bias: UnsafePointer<Double>?, cost: Bool, in w: NetworkWorkspace)
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
}
