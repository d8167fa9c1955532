import Foundation
import NeuralNetworkLearning
import ExerciseData
import NeuralNetworkEngine

/// One benchmarked problem: inputs, labels and the network's layer sizes.
struct Workload {
  let name: String
  /// Where X came from, printed with the results.
  let source: String
  let X: Matrix
  let y: Matrix
  let hiddenLayerSize: Int
  let numLabels: Int

  var m: Int { X.rows }
  var n: Int { X.columns }

  /// The fraction of X's entries that are not zero.
  var density: Double {
    Double(X.values.reduce(0) { $1 != 0 ? $0 + 1 : $0 }) / Double(max(X.count, 1))
  }

  /// Multiply-adds ×2 of one cost+gradient evaluation done densely: the
  /// forward products, delta2, and both gradients.
  var flops: Double {
    let (m, n, h, K) = (Double(m), Double(n), Double(hiddenLayerSize), Double(numLabels))
    let forward = 2 * m * (n + 1) * h + 2 * m * (h + 1) * K
    return 2 * forward + 2 * m * h * K
  }

  /// The arithmetic of one evaluation that touches only X's non-zero
  /// entries: the two products with X (the forward `X·Theta1ᵀ` without its
  /// bias column, and the Theta1 gradient's `delta2ᵀ·X`) cost 2·nnz·s₂ flops
  /// each instead of 2·m·n·s₂; the rest (the bias column, the second layer,
  /// delta2 and the Theta2 gradient) is dense as in ``flops``.
  var sparseFlops: Double {
    let nonZeros = density * Double(m) * Double(n)
    let (m, h, K) = (Double(m), Double(hiddenLayerSize), Double(numLabels))
    let withX = 2 * 2 * nonZeros * h
    let rest = 2 * 2 * m * h + 2 * 2 * m * (h + 1) * K + 2 * m * h * K
    return withX + rest
  }

  /// The course's random start: `randInitializeWeights` after `rand('twister', seed)`.
  func initialParameters(seed: UInt32) -> Matrix {
    var random = OctaveRandom(seed: seed)
    return unroll(
      randInitializeWeights(n, hiddenLayerSize, using: &random),
      randInitializeWeights(hiddenLayerSize, numLabels, using: &random))
  }

  /// The course's `costFunction = @(p) nnCostFunction(p, …, X, y, lambda)`
  /// for this data: an evaluator that keeps its buffers between calls.
  /// `firstLayer` chooses the engine's first-layer products explicitly.
  func costFunction(lambda: Double, firstLayer: FirstLayerProducts = .automatic) -> NNCostFunction {
    NNCostFunction(layerSizes: [n, hiddenLayerSize, numLabels], X: X, y: y, lambda: lambda, firstLayer: firstLayer)
  }

  /// The first `rows` examples as a workload of their own.
  func firstRows(_ rows: Int) -> Workload {
    let selection = Array(1...rows)
    return Workload(
      name: name, source: source, X: X[rows: selection], y: y[rows: selection], hiddenLayerSize: hiddenLayerSize,
      numLabels: numLabels)
  }
}

/// The course shape: 5000 digits of 20×20 pixels, 25 hidden units, 10 labels,
/// from the course file when the data directory has one, the package's
/// built-in digits otherwise.
func courseWorkload(dataFile: String?) throws -> Workload {
  let candidates =
    dataFile.map { [$0] } ?? ["ex4data1.mat", "ex4data1-8bit.mat"].compactMap(DataDirectory.existingFile)
  if let path = candidates.first {
    let variables = try MatFile.read(path, variables: ["X", "y"])
    return Workload(
      name: "course", source: "course data \(path)", X: variables["X"]!, y: variables["y"]!, hiddenLayerSize: 25,
      numLabels: 10)
  }
  let (X, y) = builtinDigits()
  return Workload(
    name: "course",
    source: "generated: the built-in digit set (no ex4data1.mat or ex4data1-8bit.mat in \(DataDirectory.path))",
    X: X, y: y, hiddenLayerSize: 25, numLabels: 10)
}

/// The large shape, m × 784 (28×28 pixels), 100 hidden units, 10 labels, generated:
/// MNIST-like strokes (about 19% of the pixels non-zero, 8-bit values) or dense
/// uniform values.
func largeWorkload(rows m: Int, sparse: Bool, seed: UInt32 = 7) -> Workload {
  var random = OctaveRandom(seed: seed)
  let side = 28
  let n = side * side
  var values = [Double](repeating: 0, count: m * n)
  var labels = [Double](repeating: 0, count: m)
  for i in 0..<m {
    labels[i] = Double(1 + Int(random.rand() * 10))
    if !sparse {
      for j in 0..<n { values[i + j * m] = random.rand() }
      continue
    }
    // A few thick strokes inside the central 20×20 box, like a handwritten digit.
    let strokes = 3 + Int(random.rand() * 3)
    var points: [(Double, Double)] = [(4 + 20 * random.rand(), 4 + 20 * random.rand())]
    for _ in 0..<strokes { points.append((4 + 20 * random.rand(), 4 + 20 * random.rand())) }
    for r in 0..<side {
      for c in 0..<side {
        var nearest = Double.infinity
        for s in 0..<strokes {
          nearest = min(nearest, distance((Double(r), Double(c)), points[s], points[s + 1]))
        }
        let level = 1.9 - nearest
        if level > 0 {
          let byte = min(255, Int(255 * min(level, 1)))
          if byte > 0 { values[i + (c * side + r) * m] = Double(byte) / 255 }
        }
      }
    }
  }
  return Workload(
    name: sparse ? "large, MNIST-like" : "large, dense",
    source: sparse ? "generated: 28×28 stroke images, 8-bit values" : "generated: uniform values in [0, 1)",
    X: Matrix(rows: m, columns: n, values: values), y: Matrix(column: labels), hiddenLayerSize: 100, numLabels: 10)
}

/// Random data of a chosen shape and fraction of non-zero entries (8-bit
/// values), for the density sweep.
func randomWorkload(
  rows m: Int, columns n: Int, hiddenLayerSize: Int, density: Double, seed: UInt32 = 11
) -> Workload {
  var random = OctaveRandom(seed: seed)
  var values = [Double](repeating: 0, count: m * n)
  for k in 0..<(m * n) where random.rand() < density { values[k] = (1 + (254 * random.rand()).rounded(.down)) / 255 }
  let labels = (0..<m).map { _ in Double(1 + Int(random.rand() * 10)) }
  return Workload(
    name: String(format: "density %.2f", density), source: "generated", X: Matrix(rows: m, columns: n, values: values),
    y: Matrix(column: labels), hiddenLayerSize: hiddenLayerSize, numLabels: 10)
}

/// The distance from point p to the segment a–b.
private func distance(_ p: (Double, Double), _ a: (Double, Double), _ b: (Double, Double)) -> Double {
  let (dx, dy) = (b.0 - a.0, b.1 - a.1)
  let length2 = dx * dx + dy * dy
  let t = length2 == 0 ? 0 : max(0, min(1, ((p.0 - a.0) * dx + (p.1 - a.1) * dy) / length2))
  let (ex, ey) = (a.0 + t * dx - p.0, a.1 + t * dy - p.1)
  return (ex * ex + ey * ey).squareRoot()
}
