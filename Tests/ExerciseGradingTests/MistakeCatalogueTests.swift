import Foundation
import Testing

import ExerciseGrading
import NeuralNetworkLearning
import TestSupport

/// The grader's catalogue of mistaken variants on the grader's inputs: each
/// one changes what it breaks by far more than the tolerance, and no two
/// mistakes give the same output, so a match names one mistake.
@Suite struct MistakeCatalogueTests {
  let assessment = Assessment(outputs: [:])

  /// The largest change of `actual` from `expected`, relative to the largest |expected|.
  func change(_ actual: Matrix, _ expected: Matrix) -> Double {
    guard actual.count == expected.count && actual.rows == expected.rows else { return .infinity }
    let scale = expected.values.reduce(0) { max($0, abs($1)) }
    return zip(actual.values, expected.values).reduce(0) { max($0, abs($1.0 - $1.1) / scale) }
  }

  @Test("With all switches off, MistakenNetwork is the reference nnCostFunction")
  func switchesOffIsReference() {
    for lambda in [0, 1.5] {
      let reference = assessment.expected(lambda: lambda)
      let variant = assessment.evaluate(MistakenNetwork(), lambda: lambda)
      #expect(Agreement.agree(variant.J, reference.J))
      #expect(Agreement.agree(variant.grad, reference.grad))
    }
  }

  @Test("Every mistaken variant changes J or grad by at least 1e-3 relative: 10⁶ times the tolerance")
  func mistakesAreFarAboveTheTolerance() {
    var smallest = Double.infinity
    for (mistake, variant) in MistakenNetwork.catalogue {
      var largest = 0.0
      for lambda in [0, 1.5] {
        let reference = assessment.expected(lambda: lambda)
        let mistaken = assessment.evaluate(variant, lambda: lambda)
        largest = max(largest, abs(mistaken.J - reference.J) / abs(reference.J), change(mistaken.grad, reference.grad))
      }
      #expect(largest >= 1e-3, "\(mistake) changes the outputs by only \(largest)")
      smallest = min(smallest, largest)
    }
    #expect(smallest >= 1e6 * Agreement.relative)
    for mistake in [Mistake.sigmoidGradientOfActivation, .sigmoidGradientIsSigmoid] {
      let g = MistakenNetwork.sigmoidGradient(GraderInputs.X, mistake)!
      #expect(change(g, sigmoidGradient(GraderInputs.X)) >= 1e-3)
    }
  }

  @Test("No two mistakes give the same J or the same grad where they differ from the reference")
  func mistakesAreDistinguishable() {
    let catalogue = MistakenNetwork.catalogue
    for lambda in [0, 1.5] {
      let reference = assessment.expected(lambda: lambda)
      let outputs = catalogue.map { assessment.evaluate($0.variant, lambda: lambda) }
      for a in catalogue.indices {
        for b in catalogue.indices where b > a && catalogue[a].mistake != catalogue[b].mistake {
          let (first, second) = (outputs[a], outputs[b])
          if !Agreement.agree(first.J, reference.J) && !Agreement.agree(second.J, reference.J) {
            #expect(
              !Agreement.agree(first.J, second.J),
              "λ = \(lambda): \(catalogue[a].mistake) and \(catalogue[b].mistake) give the same J")
          }
          if !Agreement.agree(first.grad, reference.grad) && !Agreement.agree(second.grad, reference.grad) {
            #expect(
              !Agreement.agree(first.grad, second.grad),
              "λ = \(lambda): \(catalogue[a].mistake) and \(catalogue[b].mistake) give the same grad")
          }
        }
      }
    }
  }

  @Test("J within 1e-9 relative passes, beyond fails; so does one element of grad")
  func toleranceEdges() {
    let reference = assessment.expected(lambda: 1.5)
    #expect(assessment.assessCost(reference.J * (1 + 5e-10), lambda: 1.5) == .correct)
    #expect(assessment.assessCost(reference.J * (1 + 5e-9), lambda: 1.5) != .correct)
    var grad = reference.grad
    grad[20] *= 1 + 5e-10
    #expect(assessment.assessGradient(grad, lambda: 1.5) == .correct)
    grad[20] = reference.grad[20] * (1 + 5e-9)
    #expect(assessment.assessGradient(grad, lambda: 1.5) != .correct)
  }

  @Test("Zeros are the starter; NaN and a wrong size are described, not matched")
  func unmatchedOutputs() {
    #expect(assessment.assessCost(0, lambda: 0) == .mistake(.notWritten, detail: nil))
    #expect(assessment.assessGradient(Matrix.zeros(32, 1), lambda: 0) == .mistake(.notWritten, detail: nil))
    #expect(assessment.assessSigmoidGradient(Matrix.zeros(3, 10)) == .mistake(.notWritten, detail: nil))
    guard case .wrong(let nan) = assessment.assessCost(.nan, lambda: 0) else {
      Issue.record("NaN matched a mistake")
      return
    }
    #expect(nan.hasPrefix("J is NaN"))
    guard case .wrong(let size) = assessment.assessGradient(Matrix.zeros(30, 1) + 1, lambda: 0) else {
      Issue.record("a wrong size matched a mistake")
      return
    }
    #expect(size.contains("grad has 30 elements"))
    // One element of Theta2_grad changed: named, with the hint that Theta1_grad is right.
    var grad = assessment.expected(lambda: 0).grad
    grad[14] += 0.5
    guard case .wrong(let one) = assessment.assessGradient(grad, lambda: 0) else {
      Issue.record("a changed element matched a mistake")
      return
    }
    #expect(one.contains("1 of 32 elements differ; the first is grad(14) = Theta2_grad(2, 1)"), "\(one)")
    #expect(one.contains("Theta1_grad is right"))
    guard case .wrong(let shape) = assessment.assessSigmoidGradient(sigmoidGradient(GraderInputs.X).transposed()) else {
      Issue.record("a transposed result matched a mistake")
      return
    }
    #expect(shape.contains("The result is 10×3 but z is 3×10"))
  }

  @Test("A stop whose message has the course's sizes in it points to sizes written into the code")
  func hardCodedSizesFromMessages() {
    func named(_ message: String, _ part: GradedPart = .feedforwardCost) -> Mistake? {
      Assessment.mistake(behind: .stopped(message: message, location: nil), in: part)
    }
    #expect(named("Precondition failed: Matrix index 10025 out of bounds for a 32×1 matrix") == .hardCodedSizes)
    #expect(
      named("Precondition failed: product (.*): nonconformant arguments (op1 is 16×10, op2 is 16×4)") == .hardCodedSizes
    )
    #expect(
      named("Precondition failed: product (.*): nonconformant arguments (op1 is 16×5, op2 is 16×4)") == .delta2KeepsBias
    )
    #expect(named("Precondition failed: Matrix index 33 out of bounds for a 32×1 matrix") == nil)
    // Part 3's X is 3×10: a 10 there is the grader's own.
    #expect(named("Precondition failed: Matrix index (4, 1) out of bounds for a 3×10 matrix", .sigmoidGradient) == nil)
  }
}

/// What a child writes and how its end is read.
@Suite struct ChildProtocolTests {
  @Test("A task's output goes through its text bit for bit: NaN, −0, ±Inf, subnormals, empty matrices")
  func roundTrip() throws {
    let output = TaskOutput(
      J: -0.0,
      matrices: [
        Matrix(rows: 2, columns: 3, values: [.nan, -.infinity, .infinity, .leastNonzeroMagnitude, 1 / 3, -2]),
        Matrix.zeros(0, 4),
        Matrix(row: [1, 2]),
      ])
    let back = try #require(TaskOutput(encoded: output.encoded))
    #expect(back.J?.bitPattern == output.J?.bitPattern)
    #expect(back.matrices.count == 3)
    for (a, b) in zip(back.matrices, output.matrices) {
      #expect(a.rows == b.rows && a.columns == b.columns)
      #expect(a.values.map(\.bitPattern) == b.values.map(\.bitPattern))
    }
    #expect(TaskOutput(encoded: "matrix 2 2\n1 2 3\n") == nil)
    #expect(TaskOutput(encoded: "J zz\n") == nil)
  }

  @Test("A backtrace gives the message and the first line in the graded files")
  func readingACrash() {
    let text = """
      /work/x/Sources/OctaveCore/Matrix.swift:156: Precondition failed: Matrix index 40 out of bounds for a 32×1 matrix

      *** Program crashed: Illegal instruction at 0x00007f8dae96df7f ***

      Thread 0 "ex4" crashed:

        0               0x00007f8dae96df7f _assertionFailure(_:_:file:line:flags:) + 623 in libswiftCore.so
        5 [ra]          0x00005647bda42d65 Matrix.subscript.getter + 372 in ex4 at /work/x/Sources/OctaveCore/Matrix.swift:143:19
        6 [ra]          0x00005647bda75f71 nnCostFunction(_:) + 1408 in ex4 at /work/x/exercises/student/nnCostFunction.swift:121:32
        7 [ra]          0x00005647bda75f71 StudentFunctions.nnCostFunction(_:) + 1408 in ex4 at /work/x/exercises/ex4/StudentFunctions.swift:20:5
      """
    let failure = ChildFailure(
      ChildProcess.Outcome(ending: .signalled(SIGILL), standardOutput: "", standardError: text, seconds: 0.1),
      limits: Grader.Limits(), sourcePathMarker: "/exercises/student/")
    #expect(
      failure
        == .stopped(
          message: "Precondition failed: Matrix index 40 out of bounds for a 32×1 matrix",
          location: "nnCostFunction.swift:121"))
    let killed = ChildFailure(
      ChildProcess.Outcome(ending: .signalled(SIGXCPU), standardOutput: "", standardError: "", seconds: 15),
      limits: Grader.Limits(seconds: 10), sourcePathMarker: "/exercises/student/")
    #expect(killed == .processorTime(seconds: 15))
  }

  @Test("A child that outlives its limit is killed at the limit")
  func timeLimit() throws {
    let clock = ContinuousClock()
    let start = clock.now
    let outcome = try ChildProcess(executable: "/bin/sleep", arguments: ["30"], timeLimit: 0.5).run()
    #expect(outcome.ending == .timedOut)
    #expect(clock.now - start < .seconds(10))
    let quick = try ChildProcess(
      executable: "/bin/sh", arguments: ["-c", "echo out; echo err >&2; exit 3"], timeLimit: 10
    )
    .run()
    #expect(quick.ending == .exited(3))
    #expect(quick.standardOutput == "out\n" && quick.standardError == "err\n")
  }
}
