import ArgumentParser

/// What the planted exercise gets wrong: one mistake of the kind the grader
/// recognises, two at once, a function that misbehaves, or nothing.
enum Plant: String, CaseIterable, ExpressibleByArgument, Sendable {
  /// A correct implementation, written independently of the reference
  /// (a loop over the examples, one at a time, as in the lecture).
  case none

  // Mistakes in the cost.
  case costWithoutOneOverM
  case costWithoutSecondTerm
  case labelsNotRecoded
  case hardCodedSizes
  case hardCodedLabels
  case hardCodedExampleCount
  case reshapedRowByRow
  case theta1ReshapedRowByRow
  case theta2ReshapedRowByRow
  case labelsNotRecodedTrap
  case costRegularisesBias
  case costLambdaOverM
  case costNotRegularised
  case costPenaltyTheta1Only
  case costPenaltyTheta2Only
  case costPenaltyOverThreeM
  case matrixProductInSigmoidGradient

  // Mistakes in sigmoidGradient (seen by nnCostFunction too) and in the slope it uses.
  case sigmoidGradientOfActivation
  case sigmoidGradientIsSigmoid
  case sigmoidGradientOfA2
  case delta3TimesSigmoidGradient

  // Mistakes in backpropagation.
  case delta2KeepsBias
  case delta2KeepsBiasTrap
  case gradientNotDividedByM
  case gradientRegularisesBias
  case gradientLambdaOverTwoM
  case gradientNotRegularised
  case gradientPenaltyTheta1Only
  case gradientPenaltyTheta2Only
  case gradientAsRow
  case gradientThetasSwapped
  case gradientUnrolledRowByRow

  // Two mistakes at once: the regularised part is judged on its own.
  case costWithoutOneOverMAndLambdaOverM
  case sigmoidGradientIsSigmoidAndGradientRegularisesBias

  // Functions that misbehave.
  case trapInSigmoidGradient
  case fatalErrorInCost
  case loopInSigmoidGradient
  case allocationInSigmoidGradient
  case recursionInSigmoidGradient
  case printingInSigmoidGradient
  case escapeSequencesInSigmoidGradient
  case setsidChildInSigmoidGradient
  case manyProcessesInSigmoidGradient
  case loopInCost
  case loopInRandomInitialisation

  // randInitializeWeights.
  case initialisationSameEveryCall
  case initialisationTooWide
  case initialisationTransposed
  case initialisationIgnoresGenerator
}
