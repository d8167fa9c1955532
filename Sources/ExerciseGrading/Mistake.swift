/// A way of getting Exercise 4 wrong that the grader recognises, by
/// comparing what a student's function returned with what the same function
/// returns with that mistake made (``MistakenNetwork``), or, for a function
/// that stopped, by the message it stopped with.
package enum Mistake: String, CaseIterable, Sendable {
  /// The starter's placeholder is still there: zeros.
  case notWritten

  // The cost.
  case costWithoutOneOverM
  case costWithoutSecondTerm
  case labelsNotRecoded
  case hardCodedSizes
  case reshapedRowByRow
  case theta1ReshapedRowByRow
  case theta2ReshapedRowByRow
  case costRegularisesBias
  case costLambdaOverM
  case costNotRegularised
  case costPenaltyTheta1Only
  case costPenaltyTheta2Only

  // sigmoidGradient, and the slope used in backpropagation.
  case sigmoidGradientOfActivation
  case sigmoidGradientIsSigmoid
  case sigmoidGradientOfA2
  case delta3TimesSigmoidGradient

  // Backpropagation.
  case delta2KeepsBias
  case matrixProductForElementwise
  case gradientNotDividedByM
  case gradientRegularisesBias
  case gradientLambdaOverTwoM
  case gradientNotRegularised
  case gradientPenaltyTheta1Only
  case gradientPenaltyTheta2Only
  case gradientShape
  case gradientThetasSwapped
  case gradientUnrolledRowByRow

  /// A few words for the table's feedback column.
  package var summary: String {
    switch self {
    case .notWritten: "not written yet (the starter's zeros)"
    case .costWithoutOneOverM: "the cost is not divided by m"
    case .costWithoutSecondTerm: "the (1 − y)·log(1 − h) term is missing"
    case .labelsNotRecoded: "y is not recoded as one-hot rows"
    case .hardCodedSizes: "sizes of the course's network written into the code"
    case .reshapedRowByRow: "Theta1 and Theta2 filled row by row"
    case .theta1ReshapedRowByRow: "Theta1 filled row by row"
    case .theta2ReshapedRowByRow: "Theta2 filled row by row"
    case .costRegularisesBias: "the penalty includes the bias column"
    case .costLambdaOverM: "the penalty uses λ/m instead of λ/(2m)"
    case .costNotRegularised: "the penalty term is missing"
    case .costPenaltyTheta1Only: "the penalty covers Theta1 only"
    case .costPenaltyTheta2Only: "the penalty covers Theta2 only"
    case .sigmoidGradientOfActivation: "g′(z) computed as z .* (1 − z)"
    case .sigmoidGradientIsSigmoid: "g′(z) computed as sigmoid(z)"
    case .sigmoidGradientOfA2: "sigmoidGradient applied to a2 instead of z2"
    case .delta3TimesSigmoidGradient: "delta3 multiplied by g′(z3)"
    case .delta2KeepsBias: "delta2 keeps the bias unit's column"
    case .matrixProductForElementwise: "`*` where `.*` belongs"
    case .gradientNotDividedByM: "the gradient is not divided by m"
    case .gradientRegularisesBias: "the bias column's gradient is regularised"
    case .gradientLambdaOverTwoM: "the gradient's penalty uses λ/(2m) instead of λ/m"
    case .gradientNotRegularised: "the gradient is not regularised"
    case .gradientPenaltyTheta1Only: "only Theta1_grad is regularised"
    case .gradientPenaltyTheta2Only: "only Theta2_grad is regularised"
    case .gradientShape: "grad has the wrong shape"
    case .gradientThetasSwapped: "grad has Theta2_grad before Theta1_grad"
    case .gradientUnrolledRowByRow: "grad unrolled row by row"
    }
  }

  /// What went wrong and how to put it right, in a sentence or two.
  package var explanation: String {
    switch self {
    case .notWritten:
      "It returns the starter's placeholder, zeros: the function is not written yet. Its instructions are at the top of the file."
    case .costWithoutOneOverM:
      "J is the cost summed over the examples but not averaged: multiply the double sum by 1/m (m = X.rows)."
    case .costWithoutSecondTerm:
      "Only y·log(h) is summed: each output also costs (1 − y)·log(1 − h), for the labels that are not the example's."
    case .labelsNotRecoded:
      "The label y(i) itself is used where a row of K targets belongs: recode each label as a row with 1 in column y(i) and 0 elsewhere (Y, m × K), and use Y in the cost and in delta3."
    case .hardCodedSizes:
      "The code uses a size of the course's network (400 inputs, 25 hidden units, 10 labels, m = 5000), but the grader's network has 2 inputs, 4 hidden units, 4 labels and 16 examples: take every size from the arguments and from X.rows."
    case .reshapedRowByRow:
      "Theta1 and Theta2 were filled row by row from nnParams, but the parameters were unrolled column by column: reshape(v, rows, columns) reads them back in the right order."
    case .theta1ReshapedRowByRow:
      "Theta1 was filled row by row from nnParams (Theta2 is right), but the parameters were unrolled column by column: reshape(v, rows, columns) reads them back in the right order."
    case .theta2ReshapedRowByRow:
      "Theta2 was filled row by row from nnParams (Theta1 is right), but the parameters were unrolled column by column: reshape(v, rows, columns) reads them back in the right order."
    case .costPenaltyTheta1Only:
      "The penalty sums the squares of Theta1's weights only: add those of Theta2 (outside its bias column) too."
    case .costPenaltyTheta2Only:
      "The penalty sums the squares of Theta2's weights only: add those of Theta1 (outside its bias column) too."
    case .costRegularisesBias:
      "The penalty includes column 1 of Theta1 and Theta2, the bias weights: sum the squares from column 2 on (Theta1[columns: 2...])."
    case .costLambdaOverM:
      "The penalty is λ/m times the sum of squares; in the cost it is λ/(2m) (its derivative, in the gradient, is the one with λ/m)."
    case .costNotRegularised:
      "J is the unregularised cost: add λ/(2m) times the sum of the squares of the weights outside the bias columns."
    case .sigmoidGradientOfActivation:
      "g′ was computed as z .* (1 − z), the formula for an activation a = g(z) applied to z itself: use sigmoid(z) .* (1 − sigmoid(z))."
    case .sigmoidGradientIsSigmoid:
      "g′(z) came out as sigmoid(z) itself: the derivative is sigmoid(z) .* (1 − sigmoid(z))."
    case .sigmoidGradientOfA2:
      "delta2 was scaled by sigmoidGradient of the activations a2, not of z2: sigmoidGradient takes the hidden layer's inputs z2 = a1 · Theta1ᵀ."
    case .delta3TimesSigmoidGradient:
      "delta3 was multiplied by g′(z3): with the cross-entropy cost the output layer's error is simply a3 − Y."
    case .delta2KeepsBias:
      "delta2 kept a column for the bias unit (delta3 · Theta2 with Theta2's first column): multiply delta3 by Theta2 without its first column (Theta2[columns: 2...]), then by sigmoidGradient(z2)."
    case .matrixProductForElementwise:
      "`A * B` is the matrix product; the lecture's formulas multiply element by element there (g(z) .* (1 − g(z)), Y .* log(a3)): write `A .* B`."
    case .gradientNotDividedByM:
      "The gradient is the accumulated Delta1 and Delta2 without dividing by m: Theta1_grad = Delta1 / m, Theta2_grad = Delta2 / m."
    case .gradientRegularisesBias:
      "(λ/m)·Theta was added to the bias column too: column 1 of Theta1_grad and Theta2_grad gets nothing, since the bias weights are not penalised."
    case .gradientLambdaOverTwoM:
      "The gradient's penalty term is (λ/(2m))·Theta; the derivative of λ/(2m)·θ² is (λ/m)·θ."
    case .gradientNotRegularised:
      "The gradient has no penalty term: add (λ/m)·Theta outside the bias columns."
    case .gradientPenaltyTheta1Only:
      "(λ/m)·Theta1 was added to Theta1_grad but nothing to Theta2_grad: add (λ/m)·Theta2 outside its bias column too."
    case .gradientPenaltyTheta2Only:
      "(λ/m)·Theta2 was added to Theta2_grad but nothing to Theta1_grad: add (λ/m)·Theta1 outside its bias column too."
    case .gradientShape:
      "The values are right but grad is not a column like nnParams: return unroll(Theta1_grad, Theta2_grad)."
    case .gradientThetasSwapped:
      "grad holds Theta2_grad first: unroll it in nnParams' order, Theta1_grad first."
    case .gradientUnrolledRowByRow:
      "Theta1_grad and Theta2_grad were unrolled row by row: unroll them column by column, as nnParams was (unroll(Theta1_grad, Theta2_grad))."
    }
  }
}
