import ExercisePrograms
import Foundation
import NeuralNetworkLearning

/// How one quantity a part grades came out.
package enum Verdict: Hashable, Sendable {
  case correct
  /// Wrong in a way the grader recognises; `detail` adds what else it saw.
  case mistake(Mistake, detail: String?)
  /// Wrong, matching no recognised mistake: how far off it is.
  case wrong(String)
}

/// The verdict on one quantity of a part: `J`, `grad` or sigmoidGradient's result.
package struct Finding: Equatable, Sendable {
  package let quantity: String
  package let verdict: Verdict
}

/// A graded part: its findings, or why the child running it gave no result.
package struct PartResult: Sendable {
  package let part: GradedPart
  package let failure: ChildFailure?
  package let findings: [Finding]

  package var passed: Bool { failure == nil && findings.allSatisfy { $0.verdict == .correct } }
  package var score: Int { passed ? part.points : 0 }

  /// The mistakes recognised in this part, from its findings or its failure.
  package var mistakes: [Mistake] {
    findings.compactMap {
      if case .mistake(let mistake, _) = $0.verdict { mistake } else { nil }
    } + (failure.flatMap { Assessment.mistake(behind: $0, in: part) }.map { [$0] } ?? [])
  }
}

/// Compares what the children returned with the reference implementation
/// and names the mistakes it recognises.
package struct Assessment {
  let outputs: [GradingTask: Result<TaskOutput, ChildFailure>]
  let reference = ReferenceFunctions()

  package init(outputs: [GradingTask: Result<TaskOutput, ChildFailure>]) {
    self.outputs = outputs
  }

  package func report() -> SubmissionReport {
    SubmissionReport(
      parts: GradedPart.allCases.map(assess),
      initialisation: InitialisationCheck(outputs[.randomInitialisation] ?? .failure(.noResult("not run"))))
  }

  package func assess(_ part: GradedPart) -> PartResult {
    let output: TaskOutput
    switch outputs[part.task] ?? .failure(.noResult("not run")) {
    case .failure(let failure): return PartResult(part: part, failure: failure, findings: [])
    case .success(let value): output = value
    }
    if part == .sigmoidGradient {
      return PartResult(
        part: part, failure: nil,
        findings: [Finding(quantity: "sigmoidGradient(X)", verdict: assessSigmoidGradient(output.matrices[0]))])
    }
    let lambda = part.lambda!
    let J = output.J!
    var findings = [Finding(quantity: "J", verdict: assessCost(J, lambda: lambda))]
    if part.gradesGradient {
      findings.append(Finding(quantity: "grad", verdict: assessGradient(output.matrices[0], lambda: lambda)))
    }
    return PartResult(part: part, failure: nil, findings: findings)
  }

  // MARK: - The reference and the mistakes on the grader's inputs

  package func expected(lambda: Double) -> (J: Double, grad: Matrix) {
    evaluate(reference.nnCostFunction, lambda: lambda)
  }

  package func evaluate(_ variant: MistakenNetwork, lambda: Double) -> (J: Double, grad: Matrix) {
    evaluate(variant.cost, lambda: lambda)
  }

  private func evaluate(_ f: NNCostFunctionSignature, lambda: Double) -> (J: Double, grad: Matrix) {
    f(
      GraderInputs.t, GraderInputs.inputLayerSize, GraderInputs.hiddenLayerSize, GraderInputs.numLabels,
      GraderInputs.Xm, GraderInputs.ym, lambda)
  }

  /// The student's nnCostFunction output at λ = 0, from part 1 or part 4, if either ran.
  package func unregularised() -> TaskOutput? {
    for task in [GradingTask.backpropagation, .feedforwardCost] {
      if case .success(let output) = outputs[task] { return output }
    }
    return nil
  }

  // MARK: - J

  package func assessCost(_ J: Double, lambda: Double) -> Verdict {
    let expectedJ = expected(lambda: lambda).J
    if Agreement.agree(J, expectedJ) { return .correct }
    if J == 0 { return .mistake(.notWritten, detail: nil) }
    for (mistake, variant) in MistakenNetwork.catalogue {
      let Jv = evaluate(variant, lambda: lambda).J
      if !Agreement.agree(Jv, expectedJ) && Agreement.agree(J, Jv) { return .mistake(mistake, detail: nil) }
    }
    if lambda > 0, let J0 = unregularised()?.J, J.isFinite, J0.isFinite {
      if let verdict = assessPenalty(J - J0, scale: max(abs(J), abs(J0)), lambda: lambda, unregularisedJ: J0) {
        return verdict
      }
    }
    return .wrong(describe(J, expected: expectedJ))
  }

  /// Judges the penalty alone, J(λ) − J(0), when J itself matched nothing.
  private func assessPenalty(_ penalty: Double, scale: Double, lambda: Double, unregularisedJ: Double) -> Verdict? {
    let expectedJ0 = expected(lambda: 0).J
    let note =
      Agreement.agree(unregularisedJ, expectedJ0)
      ? nil : "The cost without the penalty is wrong as well (part 1)."
    func agrees(_ variant: MistakenNetwork) -> Bool {
      let expectedPenalty = evaluate(variant, lambda: lambda).J - evaluate(variant, lambda: 0).J
      return abs(penalty - expectedPenalty) <= Agreement.relative * max(scale, abs(expectedPenalty))
    }
    if agrees(MistakenNetwork()) {
      return .wrong(
        "The penalty λ/(2m)·Σθ² is right (J(λ) − J(0) = \(number(penalty))), but the cost without it is not: see part 1."
      )
    }
    for (mistake, variant) in MistakenNetwork.catalogue where variant.costPenalty != .correct {
      if agrees(variant) { return .mistake(mistake, detail: note) }
    }
    if note == nil {
      let expectedPenalty = expected(lambda: lambda).J - expectedJ0
      return .wrong(
        "The cost without the penalty is right (part 1), so the penalty is what is off: J(λ) − J(0) = "
          + "\(number(penalty)), expected \(number(expectedPenalty)), λ/(2m) times the squares of every weight "
          + "of Theta1 and Theta2 outside their bias columns. It matches none of the mistakes the grader knows.")
    }
    return nil
  }

  // MARK: - grad

  package func assessGradient(_ grad: Matrix, lambda: Double) -> Verdict {
    let expectedGrad = expected(lambda: lambda).grad
    if Agreement.agree(grad, expectedGrad) { return .correct }
    if grad.count == expectedGrad.count && grad.values.allSatisfy({ $0 == 0 }) {
      return .mistake(.notWritten, detail: nil)
    }
    if grad.count == expectedGrad.count && (grad.rows, grad.columns) != (expectedGrad.rows, expectedGrad.columns)
      && Agreement.firstDisagreement(grad.values, expectedGrad.values) == nil
    {
      return .mistake(.gradientShape, detail: "grad is \(grad.shape); nnParams is \(expectedGrad.shape).")
    }
    for (mistake, variant) in MistakenNetwork.catalogue {
      let gv = evaluate(variant, lambda: lambda).grad
      if !Agreement.agree(gv, expectedGrad) && Agreement.agree(grad, gv) { return .mistake(mistake, detail: nil) }
    }
    if lambda > 0, let grad0 = unregularised()?.matrices.first, grad0.rows == grad.rows,
      grad0.columns == grad.columns, grad.count == expectedGrad.count
    {
      if let verdict = assessPenaltyGradient(grad - grad0, scaleOf: [grad, grad0], lambda: lambda, grad0: grad0) {
        return verdict
      }
    }
    if grad.count == expectedGrad.count + GraderInputs.inputLayerSize + 1 {
      return .mistake(
        .delta2KeepsBias,
        detail:
          "grad has \(grad.count) elements, \(GraderInputs.inputLayerSize + 1) more than nnParams' \(expectedGrad.count): one row of Theta1_grad too many."
      )
    }
    if grad.count != expectedGrad.count {
      let (s1, s2) = (GraderInputs.shapes[0], GraderInputs.shapes[1])
      return .wrong(
        "grad has \(grad.count) elements (\(grad.shape)); nnParams has \(expectedGrad.count): "
          + "Theta1_grad is \(s1.rows)×\(s1.columns) and Theta2_grad \(s2.rows)×\(s2.columns) here.")
    }
    return .wrong(describe(grad, expected: expectedGrad))
  }

  /// Judges the gradient's penalty term alone, grad(λ) − grad(0), when grad matched nothing.
  private func assessPenaltyGradient(_ term: Matrix, scaleOf grads: [Matrix], lambda: Double, grad0: Matrix)
    -> Verdict?
  {
    let scale = grads.flatMap(\.values).reduce(0) { max($0, abs($1)) }
    let expected0 = expected(lambda: 0).grad
    let note =
      Agreement.agree(grad0, expected0) ? nil : "Backpropagation without the penalty is wrong as well (part 4)."
    func agrees(_ variant: MistakenNetwork) -> Bool {
      let expectedTerm = evaluate(variant, lambda: lambda).grad - evaluate(variant, lambda: 0).grad
      return zip(term.values, expectedTerm.values).allSatisfy { abs($0 - $1) <= Agreement.relative * scale }
    }
    if agrees(MistakenNetwork()) {
      return .wrong("The penalty term (λ/m)·Theta is right, but backpropagation without it is not: see part 4.")
    }
    for (mistake, variant) in MistakenNetwork.catalogue
    where variant.gradientPenalty != .correct && variant.gradientDividedByM {
      if agrees(variant) { return .mistake(mistake, detail: note) }
    }
    if note == nil {
      return .wrong(
        "Backpropagation without the penalty is right (part 4), so the penalty term is what is off: "
          + describe(term, expected: expected(lambda: lambda).grad - expected0, name: "grad(λ) − grad(0)")
          + " The term is (λ/m)·Theta outside the bias columns.")
    }
    return nil
  }

  // MARK: - sigmoidGradient

  package func assessSigmoidGradient(_ g: Matrix) -> Verdict {
    let X = GraderInputs.X
    let expectedG = reference.sigmoidGradient(X)
    if Agreement.agree(g, expectedG) { return .correct }
    if g.count == expectedG.count && g.values.allSatisfy({ $0 == 0 }) { return .mistake(.notWritten, detail: nil) }
    for mistake in [Mistake.sigmoidGradientOfActivation, .sigmoidGradientIsSigmoid] {
      if Agreement.agree(g, MistakenNetwork.sigmoidGradient(X, mistake)!) { return .mistake(mistake, detail: nil) }
    }
    if g.rows != X.rows || g.columns != X.columns {
      return .wrong(
        "The result is \(g.shape) but z is \(X.shape): g′ is taken element by element, so the shapes match.")
    }
    return .wrong(describe(g, expected: expectedG, name: "g"))
  }

  // MARK: - Traps

  /// What the message of a trap in nnCostFunction suggests (``ShapeHint``):
  /// a size of the course's network written in, y where Y belongs, `*` for
  /// `.*`, or delta2 computed with Theta2's bias column.
  package static func hint(behind failure: ChildFailure, in part: GradedPart) -> ShapeHint? {
    guard case .stopped(let message, _) = failure else { return nil }
    return ShapeHint.hint(for: message, network: .grader, courseSizes: part != .sigmoidGradient)
  }

  /// The catalogued mistake ``hint(behind:in:)`` points to, if any.
  package static func mistake(behind failure: ChildFailure, in part: GradedPart) -> Mistake? {
    hint(behind: failure, in: part)?.mistake
  }

  // MARK: - Describing a difference

  private func describe(_ J: Double, expected: Double) -> String {
    if J.isNaN {
      return
        "J is NaN, expected \(number(expected)): a log of a negative number or 0·∞, e.g. log(a3) with a3 outside (0, 1). Is a3 = sigmoid(z3)?"
    }
    if J.isInfinite {
      return
        "J is \(J > 0 ? "" : "-")Inf, expected \(number(expected)): log(0) somewhere, e.g. log(1 − a3) with a3 = 1."
    }
    let percent = abs(J - expected) / abs(expected) * 100
    return
      "J = \(number(J)), expected \(number(expected)): \(String(format: "%.3g", percent))% too \(J > expected ? "large" : "small"). It matches none of the mistakes the grader knows."
  }

  private func describe(_ actual: Matrix, expected: Matrix, name: String = "grad") -> String {
    let wrong = Agreement.disagreements(actual.values, expected.values)
    guard let first = wrong.first else { return "\(name) is right" }
    var text =
      "\(wrong.count) of \(expected.count) elements differ; the first is \(name)(\(first + 1))"
      + (name == "grad" ? " = \(Self.gradientElement(first))" : "")
      + ": \(number(actual.values[first])), expected \(number(expected.values[first]))."
    if name == "grad" {
      let split = GraderInputs.shapes[0].rows * GraderInputs.shapes[0].columns
      let inTheta1 = wrong.contains { $0 < split }
      let inTheta2 = wrong.contains { $0 >= split }
      if inTheta1 && !inTheta2 {
        text += " Theta2_grad is right: look at delta2 and Theta1_grad."
      } else if inTheta2 && !inTheta1 {
        text += " Theta1_grad is right: look at Theta2_grad."
      }
    }
    return text + " It matches none of the mistakes the grader knows."
  }

  /// `Theta1_grad(i, j)` or `Theta2_grad(i, j)` for a 0-based element of grad.
  package static func gradientElement(_ k: Int) -> String {
    var offset = k
    for (l, shape) in GraderInputs.shapes.enumerated() {
      let size = shape.rows * shape.columns
      if offset < size { return "Theta\(l + 1)_grad(\(offset % shape.rows + 1), \(offset / shape.rows + 1))" }
      offset -= size
    }
    return "beyond nnParams"
  }
}

/// A number as the grader prints it: six significant digits, Octave's
/// spelling for Inf and NaN.
func number(_ x: Double) -> String {
  x.isFinite ? String(format: "%.6g", x) : octaveSpelling(x)
}
