import CourseToolkit

/// NNCOSTFUNCTION: the cost J of a three-layer sigmoid network on labelled
/// examples, and the gradient of J by backpropagation.
///
/// What it takes and gives back
/// ----------------------------
///   nnParams         both weight matrices unrolled into one column, column
///                    by column, Theta1's elements first (Octave's
///                    [Theta1(:); Theta2(:)]), where
///                      Theta1 is hiddenLayerSize × (inputLayerSize + 1)
///                      Theta2 is numLabels × (hiddenLayerSize + 1)
///                    and column 1 of each holds the bias unit's weights
///   inputLayerSize   units in the input layer, bias not counted (400 pixels
///                    for the course's 20×20 digits)
///   hiddenLayerSize  units in the hidden layer, bias not counted (25)
///   numLabels        K, the number of output units, one per label (10)
///   X                m × inputLayerSize: one example per row
///   y                m labels, one per row of X, each a whole number 1…K
///                    stored as a Double (the digit 0 has label 10)
///   lambda           λ ≥ 0, how strongly large weights are penalised
///   returns J        the cost, one number
///           grad     the partial derivatives of J with respect to every
///                    weight, unrolled exactly as nnParams is:
///                    [Theta1_grad(:); Theta2_grad(:)], a column with as
///                    many elements as nnParams
///
/// Take every size from the arguments, never from the course's network
/// (400, 25, 10 and m = 5000): the grader tries your function on a network
/// of 2 inputs, 4 hidden units and 4 labels with 16 examples.
///
/// What to do, part 1: the cost (graded parts 1 and 2)
/// ------------------------------------------------------
///   1. The matrices are given back to you, as the course's starter gives
///      them: the two lines at the top of the function. The first
///      hiddenLayerSize·(inputLayerSize + 1) elements of nnParams are
///      Theta1, the rest Theta2; `nnParams[a...b]` takes elements a…b
///      (1-based, as in Octave) and `reshape(v, rows, columns)` fills a
///      matrix column by column, the order in which (:) unrolled it.
///
///   2. Forward propagation, all m examples at once (m = X.rows):
///        a1 = X with a column of ones in front (the bias unit):
///             `X.prependingOnes()`, m × (inputLayerSize + 1)
///        z2 = a1 · Theta1ᵀ (`Theta1.transposed()`), m × hiddenLayerSize
///        a2 = sigmoid(z2), again with a column of ones in front
///        z3 = a2 · Theta2ᵀ
///        a3 = sigmoid(z3), m × K: row i is the network's K outputs for
///             example i, h(x⁽ⁱ⁾)
///
///   3. Recode the labels. Each of the K outputs is a yes/no answer, so
///      label y(i) becomes a row of K targets: 1 in column y(i), 0 in the
///      other columns. Stack the rows into Y, m × K. (Row k of the K × K
///      identity `Matrix.eye(K)` is exactly the row for label k,
///      `A[rows: list]` picks rows of A, and `Int(y[i])` is example i's
///      label as a whole number.)
///
///   4. The cost adds up the logistic-regression cost of every output of
///      every example, two sums, and averages over the examples:
///
///        J = −(1/m) Σ(i = 1…m) Σ(k = 1…K) [ Y(i,k)·log(a3(i,k))
///                                          + (1 − Y(i,k))·log(1 − a3(i,k)) ]
///
///      On whole matrices: `.*` multiplies element by element, `log(A)` and
///      `1 - A` work element by element, `A.sum()` adds every element.
///      Check: with the course's weights and data, `swift run ex4 --student`
///      should print about 0.287629.
///
///   5. Regularise. Add λ/(2m) times the sum of the squares of every weight
///      in Theta1 and Theta2 except their first columns: the bias weights
///      are not penalised. `Theta1[columns: 2...]` is Theta1 without its
///      first column and `.sumOfSquares()` squares and adds. Check: with
///      λ = 1 the course's weights cost about 0.383770.
///
/// What to do, part 2: backpropagation (graded part 4)
/// -----------------------------------------------------
///   6. The error of each output unit, for every example: delta3 = a3 − Y,
///      m × K.
///
///   7. Send it back through Theta2 to the hidden layer. The bias unit has
///      no inputs, so it gets no error: leave out Theta2's first column.
///      Then scale by the slope of the sigmoid where each hidden unit was:
///
///        delta2 = (delta3 · Theta2 without column 1) .* sigmoidGradient(z2)
///
///      m × hiddenLayerSize. `sigmoidGradient` here is your own, in
///      sigmoidGradient.swift.
///
///   8. Accumulate. For each weight the lecture adds up, over the examples,
///      the error of the unit it feeds times the activation it carries:
///      Delta(l) += delta(l+1) · a(l)ᵀ for each example in turn. For all m
///      examples at once that is one matrix product per layer:
///
///        Delta1 = delta2ᵀ · a1     (the shape of Theta1)
///        Delta2 = delta3ᵀ · a2     (the shape of Theta2)
///
///      (A loop over the examples, one at a time as in the lecture, gives
///      the same sums.)
///
///   9. Average: Theta1_grad = Delta1 / m and Theta2_grad = Delta2 / m.
///      `swift run ex4 --student` compares your gradient with numerical
///      estimates (checkNNGradients): the relative difference should be
///      below 1e-9.
///
/// What to do, part 3: regularising the gradient (graded part 5)
/// ---------------------------------------------------------------
///  10. Add (λ/m)·Theta1 to Theta1_grad and (λ/m)·Theta2 to Theta2_grad,
///      except in column 1: the bias weights were not penalised, so their
///      gradient gets nothing added. `Theta1[columns: 2...].prependingColumn(of: 0)`
///      is Theta1 with zeros in its first column.
///
///  11. Unroll the two gradients into one column, Theta1_grad first:
///      `unroll(Theta1_grad, Theta2_grad)`.
public func nnCostFunction(
  _ nnParams: Matrix, inputLayerSize: Int, hiddenLayerSize: Int, numLabels: Int, X: Matrix, y: Matrix,
  lambda: Double
) -> (J: Double, grad: Matrix) {
  // Reshape nnParams back into the parameters Theta1 and Theta2, the weight
  // matrices of the two-layer network (given, as in the course's starter).
  let Theta1 = reshape(nnParams[1...(hiddenLayerSize * (inputLayerSize + 1))], hiddenLayerSize, inputLayerSize + 1)
  let Theta2 = reshape(nnParams[(1 + hiddenLayerSize * (inputLayerSize + 1))...], numLabels, hiddenLayerSize + 1)

  // ------------------------------------------------------------------
  // Your code: replace this zero cost and zero gradient (a zero for each
  // weight in Theta1 and Theta2) with J and grad.
  let J = 0.0
  let grad = Matrix.zeros(Theta1.count + Theta2.count, 1)
  // ------------------------------------------------------------------
  return (J, grad)
}
