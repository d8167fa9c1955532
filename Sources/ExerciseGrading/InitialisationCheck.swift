import Foundation
import NeuralNetworkLearning

/// What the course's grader cannot check about randInitializeWeights, and
/// `ex4 submit` checks without grading: the shape, the range, that the
/// weights vary and differ between calls, and that they come from the
/// generator given.
///
/// The range allowed for a layer is ±epsilon_init with either the lecture
/// notes' rule, √6 / √(L_in + L_out), or the course script's fixed 0.12,
/// whichever is wider.
package struct InitialisationCheck: Sendable {
  /// What an item checks.
  package enum Kind: Sendable { case shape, range, symmetry, callsDiffer, seedRepeats }

  package struct Item: Equatable, Sendable {
    package let kind: Kind
    package let passed: Bool
    package let text: String
  }

  package let failure: ChildFailure?
  package let items: [Item]

  package var passed: Bool { failure == nil && items.allSatisfy(\.passed) }

  /// The widest |w| allowed for a layer from `L_in` to `L_out` units.
  package static func epsilonInit(_ L_in: Int, _ L_out: Int) -> Double {
    max(0.12, 6.0.squareRoot() / Double(L_in + L_out).squareRoot())
  }

  init(_ output: Result<TaskOutput, ChildFailure>) {
    switch output {
    case .failure(let failure):
      self.failure = failure
      items = []
    case .success(let output):
      failure = nil
      items = Self.check(output.matrices)
    }
  }

  /// The draws, in the order the child makes them: (400, 25), (400, 25)
  /// again, (25, 10), and (400, 25) from a fresh generator with the same seed.
  static func check(_ draws: [Matrix]) -> [Item] {
    let layers = GraderInputs.initialisationLayers
    let calls = [layers[0], layers[0], layers[1], layers[0]]
    var items: [Item] = []

    // Shapes.
    let shapeProblems = zip(calls, draws).compactMap { call, W -> String? in
      W.rows == call.L_out && W.columns == call.L_in + 1
        ? nil : "randInitializeWeights(\(call.L_in), \(call.L_out)) is \(W.shape), not \(call.L_out)×\(call.L_in + 1)"
    }
    items.append(
      Item(
        kind: .shape,
        passed: shapeProblems.isEmpty,
        text: shapeProblems.isEmpty
          ? "shape: randInitializeWeights(400, 25) is 25×401 and (25, 10) is 10×26 (L_out × (1 + L_in))"
          : "shape: " + shapeProblems.joined(separator: "; ") + " (L_out × (1 + L_in))"))

    // Range.
    let rangeProblems = zip(calls, draws).compactMap { call, W -> String? in
      let epsilon = epsilonInit(call.L_in, call.L_out)
      let largest = W.values.reduce(0) { max($0, abs($1)) }
      if W.values.contains(where: { $0.isNaN }) { return "randInitializeWeights(\(call.L_in), \(call.L_out)) has NaN" }
      return largest <= epsilon * (1 + 1e-12)
        ? nil
        : "randInitializeWeights(\(call.L_in), \(call.L_out)) reaches \(number(largest)), beyond ±\(number(epsilon))"
    }
    items.append(
      Item(
        kind: .range,
        passed: rangeProblems.isEmpty,
        text: rangeProblems.isEmpty
          ? "range: every weight within ±epsilon_init (±0.12 for (400, 25), ±\(number(epsilonInit(25, 10))) for (25, 10))"
          : "range: " + rangeProblems.joined(separator: "; ")))

    // Variety within one draw.
    let first = draws[0]
    let distinct = Set(first.values).count
    items.append(
      Item(
        kind: .symmetry,
        passed: distinct > 1,
        text: distinct > 1
          ? "symmetry broken: the weights differ from one another"
          : first.isEmpty
            ? "symmetry: no weights at all"
            : "symmetry not broken: all \(first.count) weights are \(number(first.values[0])), so every hidden unit would learn the same thing"
      ))

    // Two calls differ.
    let differ = draws[0] != draws[1]
    items.append(
      Item(
        kind: .callsDiffer,
        passed: differ,
        text: differ
          ? "two calls give different weights"
          : "two calls on the same generator gave the same weights: draw them from `generator`, which moves on with each draw"
      ))

    // The same seed repeats.
    let repeats = draws[0] == draws[3]
    items.append(
      Item(
        kind: .seedRepeats,
        passed: repeats,
        text: repeats
          ? "the same seed gives the same weights (drawn from the generator given)"
          : "the same seed gave different weights: draw every number from `generator`, or --seed cannot repeat a run"))
    return items
  }
}
