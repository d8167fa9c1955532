import Foundation
import Testing

import ExerciseGrading
import NeuralNetworkLearning
import TestSupport

/// The grader run exactly as `ex4 submit` runs it — a child process per
/// task, limits and all — on `ex4-planted`, whose functions have one mistake
/// (or two, or a misbehaviour) planted in them. The planted nnCostFunction is
/// a loop over examples on plain arrays, written apart from the grader's
/// vectorised mistaken variants, so a diagnosis here is a real match.
enum Planted {
  static let program = "ex4-planted"

  static func grade(
    _ plant: String, seconds: Double = 20, progress: (@Sendable (String) -> Void)? = nil
  ) throws -> SubmissionReport {
    let grader = Grader(
      executable: ProgramRun.executable(program), childArguments: { ["grade-part"] + $0 + ["--plant", plant] },
      sourcePathMarker: "/Tests/PlantedExercise/", limits: Grader.Limits(seconds: seconds), progress: progress)
    return try grader.grade()
  }
}

/// A plant and the parts it must fail, each with the mistakes named there.
struct PlantCase: CustomTestStringConvertible, Sendable {
  let plant: String
  let failing: [GradedPart: Set<Mistake>]

  init(_ plant: String, _ failing: [GradedPart: Set<Mistake>]) {
    self.plant = plant
    self.failing = failing
  }

  /// The same mistake named in every part that runs nnCostFunction.
  init(_ plant: String, everyCostPart mistake: Mistake) {
    self.init(
      plant,
      [
        .feedforwardCost: [mistake], .regularizedCost: [mistake], .backpropagation: [mistake],
        .regularizedGradient: [mistake],
      ])
  }

  var testDescription: String { plant }
}

@Suite(
  "The grader names each planted mistake in the parts it breaks, and the other parts keep their points")
struct PlantedMistakeTests {
  static let cases: [PlantCase] = [
    PlantCase("none", [:]),
    // The cost.
    PlantCase("costWithoutOneOverM", everyCostPart: .costWithoutOneOverM),
    PlantCase("costWithoutSecondTerm", everyCostPart: .costWithoutSecondTerm),
    PlantCase("labelsNotRecoded", everyCostPart: .labelsNotRecoded),
    PlantCase("reshapedRowByRow", everyCostPart: .reshapedRowByRow),
    PlantCase("theta1ReshapedRowByRow", everyCostPart: .theta1ReshapedRowByRow),
    PlantCase("theta2ReshapedRowByRow", everyCostPart: .theta2ReshapedRowByRow),
    // y where Y belongs stops at y .* log(a3): named from the shapes.
    PlantCase("labelsNotRecodedTrap", everyCostPart: .labelsNotRecoded),
    PlantCase("matrixProductInSigmoidGradient", [.sigmoidGradient: [.matrixProductForElementwise]]),
    // The course's sizes: m = 5000 gives wrong numbers; 400, 25 or 10 written in stop the function.
    PlantCase("hardCodedExampleCount", everyCostPart: .hardCodedSizes),
    PlantCase("hardCodedSizes", everyCostPart: .hardCodedSizes),
    PlantCase("hardCodedLabels", everyCostPart: .hardCodedSizes),
    // The penalty in the cost: J of parts 2 and 5 only.
    PlantCase(
      "costRegularisesBias", [.regularizedCost: [.costRegularisesBias], .regularizedGradient: [.costRegularisesBias]]),
    PlantCase("costLambdaOverM", [.regularizedCost: [.costLambdaOverM], .regularizedGradient: [.costLambdaOverM]]),
    PlantCase(
      "costNotRegularised", [.regularizedCost: [.costNotRegularised], .regularizedGradient: [.costNotRegularised]]),
    PlantCase(
      "costPenaltyTheta1Only",
      [.regularizedCost: [.costPenaltyTheta1Only], .regularizedGradient: [.costPenaltyTheta1Only]]),
    PlantCase(
      "costPenaltyTheta2Only",
      [.regularizedCost: [.costPenaltyTheta2Only], .regularizedGradient: [.costPenaltyTheta2Only]]),
    // A penalty no catalogued mistake gives: not named, but said to be the part that is off.
    PlantCase("costPenaltyOverThreeM", [.regularizedCost: [], .regularizedGradient: []]),
    // sigmoidGradient: part 3, and (through the module's own sigmoidGradient,
    // which must shadow NeuralNetworkLearning's) the gradient of parts 4 and 5.
    PlantCase(
      "sigmoidGradientOfActivation",
      [
        .sigmoidGradient: [.sigmoidGradientOfActivation], .backpropagation: [.sigmoidGradientOfActivation],
        .regularizedGradient: [.sigmoidGradientOfActivation],
      ]),
    PlantCase(
      "sigmoidGradientIsSigmoid",
      [
        .sigmoidGradient: [.sigmoidGradientIsSigmoid], .backpropagation: [.sigmoidGradientIsSigmoid],
        .regularizedGradient: [.sigmoidGradientIsSigmoid],
      ]),
    // Backpropagation: the gradient of parts 4 and 5.
    PlantCase(
      "sigmoidGradientOfA2", [.backpropagation: [.sigmoidGradientOfA2], .regularizedGradient: [.sigmoidGradientOfA2]]),
    PlantCase(
      "delta3TimesSigmoidGradient",
      [.backpropagation: [.delta3TimesSigmoidGradient], .regularizedGradient: [.delta3TimesSigmoidGradient]]),
    PlantCase("delta2KeepsBias", [.backpropagation: [.delta2KeepsBias], .regularizedGradient: [.delta2KeepsBias]]),
    PlantCase("delta2KeepsBiasTrap", everyCostPart: .delta2KeepsBias),
    PlantCase(
      "gradientNotDividedByM",
      [.backpropagation: [.gradientNotDividedByM], .regularizedGradient: [.gradientNotDividedByM]]),
    PlantCase("gradientAsRow", [.backpropagation: [.gradientShape], .regularizedGradient: [.gradientShape]]),
    PlantCase(
      "gradientThetasSwapped",
      [.backpropagation: [.gradientThetasSwapped], .regularizedGradient: [.gradientThetasSwapped]]),
    PlantCase(
      "gradientUnrolledRowByRow",
      [.backpropagation: [.gradientUnrolledRowByRow], .regularizedGradient: [.gradientUnrolledRowByRow]]),
    // The gradient's penalty: part 5 only.
    PlantCase("gradientRegularisesBias", [.regularizedGradient: [.gradientRegularisesBias]]),
    PlantCase("gradientLambdaOverTwoM", [.regularizedGradient: [.gradientLambdaOverTwoM]]),
    PlantCase("gradientNotRegularised", [.regularizedGradient: [.gradientNotRegularised]]),
    PlantCase("gradientPenaltyTheta1Only", [.regularizedGradient: [.gradientPenaltyTheta1Only]]),
    PlantCase("gradientPenaltyTheta2Only", [.regularizedGradient: [.gradientPenaltyTheta2Only]]),
    // Two mistakes: the penalty is judged apart from the rest.
    PlantCase(
      "costWithoutOneOverMAndLambdaOverM",
      [
        .feedforwardCost: [.costWithoutOneOverM], .regularizedCost: [.costLambdaOverM],
        .backpropagation: [.costWithoutOneOverM], .regularizedGradient: [.costLambdaOverM],
      ]),
    PlantCase(
      "sigmoidGradientIsSigmoidAndGradientRegularisesBias",
      [
        .sigmoidGradient: [.sigmoidGradientIsSigmoid], .backpropagation: [.sigmoidGradientIsSigmoid],
        .regularizedGradient: [.gradientRegularisesBias],
      ]),
  ]

  @Test(arguments: cases)
  func plantedMistake(_ planted: PlantCase) throws {
    let report = try Planted.grade(planted.plant)
    for part in GradedPart.allCases {
      let result = report.part(part)
      if let mistakes = planted.failing[part] {
        #expect(result.score == 0, "part \(part.rawValue) should fail")
        #expect(
          Set(result.mistakes) == mistakes,
          "part \(part.rawValue): named \(result.mistakes), expected \(mistakes); findings \(result.findings), failure \(String(describing: result.failure))"
        )
      } else {
        #expect(
          result.score == part.points,
          "part \(part.rawValue) should keep its points: findings \(result.findings), failure \(String(describing: result.failure))"
        )
      }
    }
    #expect(report.total == GradedPart.allCases.filter { planted.failing[$0] == nil }.reduce(0) { $0 + $1.points })
    // The planted randInitializeWeights follows the lecture notes' rule: accepted.
    #expect(report.initialisation.passed, "\(report.initialisation.items)")
    // The report says so in words: each named mistake's explanation appears once.
    // (Lines are wrapped at 80 characters: compare with the words joined up again.)
    let text = report.rendered(subject: planted.plant).split(whereSeparator: \.isWhitespace).joined(separator: " ")
    for mistake in Set(planted.failing.values.flatMap { $0 }) {
      let explanation = mistake.explanation.split(whereSeparator: \.isWhitespace).joined(separator: " ")
      #expect(text.contains(explanation), "the report does not explain \(mistake): \(text)")
    }
  }

  @Test("Part 1 right and part 2 wrong in no known way: the penalty is named as the term that is off")
  func penaltyNamedAsTheTermOff() throws {
    let report = try Planted.grade("costPenaltyOverThreeM")
    let text = report.rendered(subject: "t").split(whereSeparator: \.isWhitespace).joined(separator: " ")
    #expect(text.contains("The cost without the penalty is right (part 1), so the penalty is what is off"), "\(text)")
  }

  @Test("A shape error's hint is read from its shapes and says it is a guess")
  func shapeHints() throws {
    let labels = try Planted.grade("labelsNotRecodedTrap").rendered(subject: "t")
      .split(whereSeparator: \.isWhitespace).joined(separator: " ")
    #expect(
      labels.contains("A guess from the shapes (16×1 against 16×4): y, 16×1, is used where Y belongs"), "\(labels)")
    let product = try Planted.grade("matrixProductInSigmoidGradient").rendered(subject: "t")
      .split(whereSeparator: \.isWhitespace).joined(separator: " ")
    #expect(product.contains("A guess from the shapes (3×10 against 3×10)"), "\(product)")
    let bias = try Planted.grade("delta2KeepsBiasTrap").rendered(subject: "t")
      .split(whereSeparator: \.isWhitespace).joined(separator: " ")
    #expect(bias.contains("one has a column too many, 5 for the 4 hidden units"), "\(bias)")
    #expect(!bias.contains("row too many"), "\(bias)")
  }

  @Test("A mistake in the cost leaves the gradient's verdict standing: part 5's grad is still right")
  func gradientJudgedApartFromJ() throws {
    let report = try Planted.grade("costRegularisesBias")
    let findings = report.part(.regularizedGradient).findings
    #expect(findings.map(\.quantity) == ["J", "grad"])
    #expect(findings.last?.verdict == .correct)
    #expect(findings.first?.verdict == .mistake(.costRegularisesBias, detail: nil))
  }
}
