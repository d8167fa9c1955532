/// A guess at the mistake behind a stop, read from the numbers its message
/// holds: the two shapes of a nonconformant operation, or a size of the
/// course's network in a smaller one. A guess, and worded as one: the
/// shapes alone cannot prove where they came from.
package struct ShapeHint: Equatable, Sendable {
  /// The catalogued mistake it points to, if any.
  package let mistake: Mistake?
  /// What the shapes suggest, in a sentence that says it is a guess.
  package let text: String

  /// The network a function ran on: units in the input and hidden layers, labels.
  package struct Network: Sendable {
    package let inputs: Int
    package let hidden: Int
    package let labels: Int
    /// Whether the sizes of the course's 400–25–10 network are foreign to it
    /// (the grader's 2–4–4 network), so that one in a message was written in.
    package let isCourseNetwork: Bool

    package init(inputs: Int, hidden: Int, labels: Int) {
      self.inputs = inputs
      self.hidden = hidden
      self.labels = labels
      isCourseNetwork = (inputs, hidden, labels) == (400, 25, 10)
    }

    /// The grader's network.
    package static let grader = Network(
      inputs: GraderInputs.inputLayerSize, hidden: GraderInputs.hiddenLayerSize, labels: GraderInputs.numLabels)
    /// The course's network, which `ex4 --student` runs.
    package static let course = Network(inputs: 400, hidden: 25, labels: 10)
  }

  /// The hint for a stop's `message` in a function run on `network`, or
  /// nil; `courseSizes: false` leaves out the guess from the course's
  /// sizes (for sigmoidGradient, whose input the grader chose 3×10).
  package static func hint(for message: String, network: Network, courseSizes: Bool = true) -> ShapeHint? {
    if let (operation, a, b) = nonconformant(message) {
      if let hint = fromShapes(operation, a, b, network: network) { return hint }
    }
    if courseSizes && !network.isCourseNetwork && mentionsCourseSizes(message) {
      return ShapeHint(
        mistake: .hardCodedSizes,
        text:
          "A guess from the numbers in the message: \(sizes(of: .course)) belong to the course's network, "
          + "but this one has \(sizes(of: network)).")
    }
    return nil
  }

  private static func sizes(of network: Network) -> String {
    "\(network.inputs) inputs, \(network.hidden) hidden units and \(network.labels) labels"
  }

  /// The operation and the two shapes of `… <operation>: nonconformant arguments (op1 is r×c, op2 is r×c)`.
  static func nonconformant(_ message: String) -> (String, (Int, Int), (Int, Int))? {
    guard let marker = message.range(of: ": nonconformant arguments (op1 is ") else { return nil }
    let before = message[..<marker.lowerBound]
    let operation = String(
      before.split(separator: " ", omittingEmptySubsequences: true).suffix(2).joined(separator: " "))
    let shapes = message[marker.upperBound...].matches(of: #/(\d+)×(\d+)/#).compactMap { match in
      Int(match.1).flatMap { rows in Int(match.2).map { (rows, $0) } }
    }
    guard shapes.count == 2 else { return nil }
    return (operation, shapes[0], shapes[1])
  }

  private static func fromShapes(_ operation: String, _ a: (Int, Int), _ b: (Int, Int), network: Network) -> ShapeHint?
  {
    let isProduct = operation.hasSuffix("operator *")
    let shapes = "\(a.0)×\(a.1) against \(b.0)×\(b.1)"
    let K = network.labels
    let h = network.hidden
    if !isProduct && a.0 == b.0 && K > 1 && Set([a.1, b.1]) == [1, K] {
      let m = a.0
      return ShapeHint(
        mistake: .labelsNotRecoded,
        text:
          "A guess from the shapes (\(shapes)): y, \(m)×1, is used where Y belongs, the labels recoded as rows of "
          + "\(K) targets (\(m)×\(K)).")
    }
    if isProduct && a == b && a.0 != a.1 {
      return ShapeHint(
        mistake: .matrixProductForElementwise,
        text:
          "A guess from the shapes (\(shapes)): two matrices of the same shape are multiplied with `*`, the "
          + "matrix product; element by element is `.*`.")
    }
    if !isProduct && a.0 == b.0 && Set([a.1, b.1]) == [h + 1, h] {
      return ShapeHint(
        mistake: .delta2KeepsBias,
        text:
          "A guess from the shapes (\(shapes)): one has a column too many, \(h + 1) for the \(h) hidden units, "
          + "which is the bias unit's column of Theta2 in delta3 · Theta2.")
    }
    return nil
  }

  /// Whether `message` holds a size of the course's network (400 or 401
  /// inputs, 25 or 26 hidden units, 10 labels, 5000 examples, or the counts
  /// of weights they make).
  private static func mentionsCourseSizes(_ message: String) -> Bool {
    let courseNumbers: Set = [400, 401, 25, 26, 5000, 10025, 260, 10285]
    let numbers = message.split(whereSeparator: { !$0.isNumber }).compactMap { Int($0) }
    return numbers.contains(where: courseNumbers.contains) || message.contains("×10") || message.contains("10×")
  }
}
