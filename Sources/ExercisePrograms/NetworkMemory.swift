import ArgumentParser
import Foundation
internal import NeuralNetworkEngine

/// The memory training a network takes, estimated before training starts, so
/// that options asking for more than the machine has are refused at once
/// (exit 64) instead of ending in an allocation failure minutes later.
///
/// The engine's part is what it says it allocates
/// (``NetworkWorkspace/allocation(layerSizes:examples:)``, the sizes its
/// workspace is laid out with):
///
/// - per example, every layer's `z` and `a`, the targets, and the first
///   hidden layer's rows again where BLAS makes them;
/// - the shares of the gradients of every weight matrix after the first, one
///   copy per chunk of a wave and one running total;
///
/// the rest it holds (biases, a number per chunk, the sparse loops' packed
/// first layer: about two copies of Theta1) is small beside the weights' copies.
///
/// To it comes what the minimiser keeps, vectors of all the weights: fmincg's
/// and the cost function's about 12 copies (position, gradients and
/// directions of the line search, the temporaries of their arithmetic, the
/// rolled weights); lbfgs about 38 (``Optimizer/weightCopies``).
package struct NetworkMemory: Equatable {
  /// Bytes for the per-example values.
  package var perExample: Double
  /// Bytes for the gradients' shares of one wave of chunks and their total.
  package var partialGradients: Double
  /// Bytes for the weights, gradients and the minimiser's vectors.
  package var weights: Double

  package var total: Double { perExample + partialGradients + weights }

  /// The estimate for a network of `layerSizes` (inputs, hidden layers,
  /// outputs) trained on `examples` examples by `optimizer`.
  package init(layerSizes sizes: [Int], examples m: Int, optimizer: Optimizer = .fmincg) {
    let s = sizes.map(Double.init)
    let engine = NetworkWorkspace.allocation(layerSizes: sizes, examples: m)
    perExample = 8 * Double(engine.perExample)
    partialGradients = 8 * Double(engine.partialGradients)
    var allWeights = 0.0
    for l in 0..<(s.count - 1) { allWeights += s[l + 1] * (1 + s[l]) }
    weights = 8 * Double(optimizer.weightCopies) * allWeights
  }

  /// /proc/meminfo's MemAvailable in bytes, or nil where there is none.
  package static func available() -> Double? {
    guard let text = try? String(contentsOfFile: "/proc/meminfo", encoding: .utf8) else { return nil }
    for line in text.split(separator: "\n") where line.hasPrefix("MemAvailable:") {
      let fields = line.split(separator: " ")
      if fields.count >= 2, let kilobytes = Double(fields[1]) { return kilobytes * 1024 }
    }
    return nil
  }

  /// "1.2 GB", "350 MB".
  package static func spelled(_ bytes: Double) -> String {
    bytes >= 1e9 ? String(format: "%.1f GB", bytes / 1e9) : String(format: "%.0f MB", (bytes / 1e6).rounded(.up))
  }

  /// Refuses, as an option error (exit 64), a network `option` describes
  /// whose training needs more than `available` bytes (the machine's
  /// available memory by default).
  package static func check(
    layerSizes: [Int], examples: Int, option: String, optimizer: Optimizer = .fmincg,
    available: Double? = NetworkMemory.available()
  ) throws {
    guard let available else { return }
    let need = NetworkMemory(layerSizes: layerSizes, examples: examples, optimizer: optimizer)
    guard need.total > available else { return }
    throw ValidationError(
      "\(option): training a \(layerSizes.map(String.init).joined(separator: "–")) network on \(examples) examples "
        + "needs about \(spelled(need.total)) of memory (weights and \(optimizer.rawValue) \(spelled(need.weights)), "
        + "per-example values \(spelled(need.perExample)), partial gradients "
        + "\(spelled(need.partialGradients))); this machine has \(spelled(available)) available")
  }
}
