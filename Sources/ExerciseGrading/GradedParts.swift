import Foundation
import NeuralNetworkLearning

/// The course grader's five parts of Exercise 4, with their points.
package enum GradedPart: Int, CaseIterable, Sendable {
  case feedforwardCost = 1
  case regularizedCost
  case sigmoidGradient
  case backpropagation
  case regularizedGradient

  /// The part's name as the course's grader prints it.
  package var title: String {
    switch self {
    case .feedforwardCost: "Feedforward and Cost Function"
    case .regularizedCost: "Regularized Cost Function"
    case .sigmoidGradient: "Sigmoid Gradient"
    case .backpropagation: "Neural Network Gradient (Backpropagation)"
    case .regularizedGradient: "Regularized Gradient"
    }
  }

  package var points: Int {
    switch self {
    case .feedforwardCost: 30
    case .regularizedCost: 15
    case .sigmoidGradient: 5
    case .backpropagation: 40
    case .regularizedGradient: 10
    }
  }

  /// The student's file the part grades.
  package var file: String {
    self == .sigmoidGradient ? "sigmoidGradient.swift" : "nnCostFunction.swift"
  }

  /// λ in the part's call to nnCostFunction (nil for sigmoidGradient).
  package var lambda: Double? {
    switch self {
    case .feedforwardCost, .backpropagation: 0
    case .regularizedCost, .regularizedGradient: GraderInputs.lambda
    case .sigmoidGradient: nil
    }
  }

  /// Whether the part grades the gradient as well as J.
  package var gradesGradient: Bool { self == .backpropagation || self == .regularizedGradient }

  /// The child-process task that runs the part.
  package var task: GradingTask { GradingTask(rawValue: String(describing: self))! }
}

/// One call of the student's functions, made in a child process of its own:
/// a graded part, or the ungraded look at randInitializeWeights.
package enum GradingTask: String, CaseIterable, Sendable {
  case feedforwardCost, regularizedCost, sigmoidGradient, backpropagation, regularizedGradient
  case randomInitialisation

  /// The graded part, or nil for the ungraded task.
  package var part: GradedPart? { GradedPart.allCases.first { $0.task == self } }

  /// The student's file whose function the task calls.
  package var file: String { part?.file ?? "randInitializeWeights.swift" }

  /// "part 1" … "part 5", or "the check of randInitializeWeights".
  package var name: String { part.map { "part \($0.rawValue)" } ?? "the check of randInitializeWeights" }
}

/// The inputs the course's grader calls the student's functions with, built
/// as Octave builds them (column-major):
///
///     X  = reshape(3 * sin(1:1:30), 3, 10)        % part 3
///     Xm = reshape(sin(1:32), 16, 2) / 5          % 16 examples, 2 inputs
///     ym = 1 + mod(1:16, 4)'                      % labels 2 3 4 1 2 3 4 1 …
///     t1 = sin(reshape(1:2:24, 4, 3))             % Theta1: 4 × (2 + 1)
///     t2 = cos(reshape(1:2:40, 4, 5))             % Theta2: 4 × (4 + 1)
///     t  = [t1(:); t2(:)]
///
/// and parts 1, 2, 4 and 5 call `nnCostFunction(t, 2, 4, 4, Xm, ym, lambda)`
/// with λ = 0 or 1.5. The network is not the course's 400–25–10, so sizes
/// written into the code show up.
package enum GraderInputs {
  package static let inputLayerSize = 2
  package static let hiddenLayerSize = 4
  package static let numLabels = 4
  /// The λ of the regularised parts.
  package static let lambda = 1.5

  package static let X = reshape((1...30).map { 3 * sin(Double($0)) }, 3, 10)
  package static let Xm = reshape((1...32).map { sin(Double($0)) }, 16, 2) / 5
  package static let ym = Matrix(column: (1...16).map { Double(1 + $0 % 4) })
  package static let t1 = reshape(stride(from: 1, through: 23, by: 2).map { sin(Double($0)) }, 4, 3)
  package static let t2 = reshape(stride(from: 1, through: 39, by: 2).map { cos(Double($0)) }, 4, 5)
  package static let t = unroll(t1, t2)

  /// The shapes of Theta1 and Theta2 in the grader's network.
  package static let shapes = [
    (rows: hiddenLayerSize, columns: inputLayerSize + 1), (rows: numLabels, columns: hiddenLayerSize + 1),
  ]

  /// What ungraded checks of randInitializeWeights call it with: the course's
  /// two layers, (400, 25) and (25, 10).
  package static let initialisationLayers = [(L_in: 400, L_out: 25), (L_in: 25, L_out: 10)]
  /// The seed of the generator the ungraded checks draw from.
  package static let initialisationSeed: UInt32 = 4
}
