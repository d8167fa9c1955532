/// What is wrong with the arguments of a cost function, in one sentence, or
/// nil when they fit: the one wording behind the course functions' stops
/// (their preconditions) and the evaluators'.
///
/// `shapes` are the weight matrices' shapes, Theta1 first; `labels` is K for
/// a classifier (each entry of `y` must be a whole number in 1…K) and nil for
/// a linear output (any real `y`).
package func costFunctionArgumentProblem(
  _ nnParams: Matrix?, shapes: [(rows: Int, columns: Int)], X: Matrix, y: Matrix, labels: Int?
) -> String? {
  if let nnParams {
    guard nnParams.columns == 1 || nnParams.rows == 1 else {
      return "nn_params must be a vector (the unrolled weights), not a \(nnParams.shape) matrix"
    }
    let needed = shapes.reduce(0) { $0 + $1.rows * $1.columns }
    guard nnParams.count == needed else {
      return "The unrolled parameters have \(nnParams.count) elements but the shapes "
        + shapes.map { "\($0.rows)×\($0.columns)" }.joined(separator: ", ") + " need \(needed)"
    }
  }
  let inputs = shapes[0].columns - 1
  guard X.columns == inputs else {
    return "X has \(X.columns) columns but the input layer has \(inputs) unit\(inputs == 1 ? "" : "s") "
      + "(Theta1 is \(shapes[0].rows)×\(shapes[0].columns))"
  }
  guard y.count == X.rows && (y.columns == 1 || y.rows == 1) else {
    return "y must be a vector with one entry per row of X (\(X.rows)), not a \(y.shape) matrix"
  }
  if let K = labels, let k = y.values.firstIndex(where: { !($0 == $0.rounded() && $0 >= 1 && $0 <= Double(K)) }) {
    return "y(\(k + 1)) = \(y.values[k]) is not a label in 1…\(K)"
  }
  return nil
}

/// Stops the program with ``costFunctionArgumentProblem(_:shapes:X:y:labels:)``'s
/// sentence when the arguments do not fit: the course functions' contract.
package func checkCostFunctionArguments(
  _ nnParams: Matrix?, shapes: [(rows: Int, columns: Int)], X: Matrix, y: Matrix, labels: Int?,
  file: StaticString = #file, line: UInt = #line
) {
  if let problem = costFunctionArgumentProblem(nnParams, shapes: shapes, X: X, y: y, labels: labels) {
    preconditionFailure(problem, file: file, line: line)
  }
}

/// The shapes of the weights of a network with `layerSizes` units per layer
/// (bias units not counted): Theta(l) is s(l+1) × (1 + s(l)).
package func weightShapes(_ layerSizes: [Int]) -> [(rows: Int, columns: Int)] {
  (1..<layerSizes.count).map { (rows: layerSizes[$0], columns: layerSizes[$0 - 1] + 1) }
}

/// Stops the program unless each of `Thetas` has one column more than the
/// previous one has rows and `X` fits the first: the predictors' contract.
package func checkLayersFollow(_ Thetas: [Matrix], X: Matrix, file: StaticString = #file, line: UInt = #line) {
  precondition(!Thetas.isEmpty, "A network needs at least one weight matrix", file: file, line: line)
  for l in Thetas.indices.dropFirst() {
    let (previous, Theta) = (Thetas[l - 1], Thetas[l])
    precondition(
      Theta.columns == previous.rows + 1,
      "Theta\(l + 1) is \(Theta.shape) but Theta\(l) is \(previous.shape): "
        + "Theta\(l + 1) needs \(previous.rows + 1) columns (\(previous.rows) units plus the bias)", file: file,
      line: line)
  }
  precondition(
    X.columns + 1 == Thetas[0].columns,
    "X has \(X.columns) columns but the input layer has \(Thetas[0].columns - 1) unit\(Thetas[0].columns == 2 ? "" : "s") "
      + "(Theta1 is \(Thetas[0].shape))", file: file, line: line)
}
