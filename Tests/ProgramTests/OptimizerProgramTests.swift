import Foundation
import Testing

import NeuralNetworkLearning
@testable import ExercisePrograms
import TestSupport

/// `--optimizer lbfgs` in `ex4`, `ex4 sweep` and `ex4-linear`: it trains,
/// says so, gives the same weights as the library's lbfgs on one core or two,
/// and a wrong name is refused on one line.
@Suite(.serialized)
struct OptimizerProgramTests {
  static let dataName = "ex4data1-8bit.mat"

  @Test(
    "ex4 --optimizer lbfgs trains the course's network, names lbfgs, and gives the library's weights on one core or two",
    .enabled(if: CourseFile.has(dataName), CourseFile.missing(dataName)))
  func ex4TrainsWithLBFGS() throws {
    let dir = try TemporaryDirectory()
    func ex4(_ saved: String, onOneCore: Bool = false) throws -> ProgramRun {
      let arguments = [
        "--optimizer", "lbfgs", "--data", CourseFile.path(Self.dataName), "--seed", "1", "--no-pause",
        "--output-dir", dir.file("out"), "--save", saved,
      ]
      guard onOneCore else { return try ProgramRun.run("ex4", arguments) }
      let quoted = ([ProgramRun.executable("ex4")] + arguments).map { "'\($0)'" }.joined(separator: " ")
      return try ProgramRun.runShell("taskset -c 0 " + quoted, environment: ["OPENBLAS_NUM_THREADS": "1"])
    }
    let both = try ex4(dir.file("both.mat"))
    #expect(both.status == 0, "ex4 failed: \(both.standardError)")
    #expect(both.standardError.isEmpty, "stderr: \(both.standardError)")
    #expect(both.standardOutput.contains("Training with lbfgs (limited-memory BFGS, beyond the course)"))
    #expect(both.standardOutput.contains("Iteration    50 | Cost: "))
    #expect(both.standardOutput.contains("(50 iterations of lbfgs, final cost "))
    // The same band as the library's test (LBFGSTests: at least fmincg's 94%,
    // at most the 99.74% of the network trained to convergence).
    let accuracy = try #require(both.numbers(after: "Training Set Accuracy:").first)
    #expect(accuracy >= 94 && accuracy <= 99.8, "accuracy \(accuracy)")

    // The saved weights are the library's lbfgs from the same start.
    let data = try CourseFile.read(Self.dataName)
    var random = OctaveRandom(seed: 1)
    let initial = unroll(randInitializeWeights(400, 25, using: &random), randInitializeWeights(25, 10, using: &random))
    let costFunction = NNCostFunction(
      inputLayerSize: 400, hiddenLayerSize: 25, numLabels: 10, X: data["X"]!, y: data["y"]!, lambda: 1)
    let (trained, _, _) = lbfgs(costFunction.callAsFunction, initial, maxIter: 50, progress: .silent)
    let saved = try MatFile.read(dir.file("both.mat"))
    let weights = unroll(try #require(saved["Theta1"]), try #require(saved["Theta2"]))
    #expect(weights.values == trained.values, "the saved weights are not the library's lbfgs run")

    // On one core with one BLAS thread: the same bits. lbfgs has no threads
    // and sums in index order, and the cost function's results do not depend
    // on how its work is scheduled (Performance.md); a difference here means
    // one of them does. What this changes is the threads' placement and
    // BLAS's thread count: Foundation still reports the machine's cores under
    // `taskset`, so the engine splits its work as on the whole machine. (On a
    // one-core machine both runs are the same and this checks nothing more.)
    let one = try ex4(dir.file("one.mat"), onOneCore: true)
    #expect(one.status == 0, "ex4 on one core failed: \(one.standardError)")
    let oneCore = try MatFile.read(dir.file("one.mat"))
    #expect(
      unroll(try #require(oneCore["Theta1"]), try #require(oneCore["Theta2"])).values == weights.values,
      "one core and two give different weights")
  }

  @Test(
    "ex4 sweep --optimizer lbfgs: its row for lambda 1, seed 1 is ex4 --optimizer lbfgs --validation 20%",
    .enabled(if: CourseFile.has(dataName), CourseFile.missing(dataName)))
  func sweepTrainsWithLBFGS() throws {
    let dir = try TemporaryDirectory()
    let data = CourseFile.path(Self.dataName)
    let sweep = try ProgramRun.run(
      "ex4",
      [
        "sweep", "--optimizer", "lbfgs", "--lambdas", "1", "--seeds", "1", "--data", data, "--output-dir",
        dir.file("s"),
      ])
    #expect(sweep.status == 0, "ex4 sweep failed: \(sweep.standardError)")
    #expect(sweep.standardOutput.contains("1 trainings with lbfgs (L-BFGS)"))
    let row = try #require(Ex4SweepTests.rows(sweep.standardOutput).first)
    try Ex4SweepTests.expectCourseRun(["--optimizer", "lbfgs"], matches: row, in: dir)
  }

  @Test(
    "ex4-linear --optimizer lbfgs fits the water data at least as closely as fmincg",
    .enabled(if: CourseFile.has("ex5data1.mat"), CourseFile.missing("ex5data1.mat")))
  func linearTrainsWithLBFGS() throws {
    let dir = try TemporaryDirectory()
    var finalCosts: [Optimizer: [Double]] = [:]
    for optimizer in [Optimizer.fmincg, .lbfgs] {
      for seed in 1...5 {
        let run = try ProgramRun.run(
          "ex4-linear",
          ["--optimizer", optimizer.rawValue, "--seed", "\(seed)", "--output-dir", dir.file("\(optimizer)\(seed)")])
        #expect(run.status == 0, "\(optimizer), seed \(seed): \(run.standardError)")
        #expect(run.standardOutput.contains("Training with lbfgs") == (optimizer == .lbfgs))
        #expect(run.standardOutput.contains("iterations of lbfgs)") == (optimizer == .lbfgs))
        finalCosts[optimizer, default: []].append(try #require(run.numbers(after: "Final cost:").first))
      }
    }
    // Both minimise the same cost (λ = 0, 25 weights) from the same starts
    // for 200 iterations. fmincg ends at 0.2–0.45 for at least 4 of the 5
    // seeds (Ex4LinearProgramTests); a quasi-Newton method on so small a
    // problem gets at least as far: every lbfgs run at most that band's top,
    // and its median cost at most fmincg's. A broken direction or line
    // search (steepest descent, or steps rejected) would stall far above.
    let lbfgs = try #require(finalCosts[.lbfgs])
    let fmincg = try #require(finalCosts[.fmincg])
    #expect(lbfgs.allSatisfy { $0 > 0 && $0 <= 0.45 }, "lbfgs's final costs for seeds 1–5: \(lbfgs)")
    #expect(lbfgs.sorted()[2] <= fmincg.sorted()[2], "median final cost: lbfgs \(lbfgs), fmincg \(fmincg)")
  }

  @Test func aWrongNameIsRefusedOnOneLine() throws {
    let dir = try TemporaryDirectory()
    for (program, arguments) in [
      ("ex4", ["--optimizer", "bfgs"]), ("ex4", ["sweep", "--optimizer", "bfgs"]),
      ("ex4-linear", ["--optimizer", "bfgs"]),
    ] {
      let run = try ProgramRun.run(program, arguments + ["--output-dir", dir.file("out")])
      expectCleanRefusal(run, status: 64, mentioning: ["bfgs", "--optimizer", "fmincg", "lbfgs"])
      #expect(
        !FileManager.default.fileExists(atPath: dir.file("out")), "\(program) \(arguments) made its output folder")
    }
  }

  @Test func helpSaysWhatEachIs() throws {
    for (program, arguments) in [
      ("ex4", ["course", "--help"]), ("ex4", ["sweep", "--help"]), ("ex4-linear", ["--help"]),
    ] {
      let run = try ProgramRun.run(program, arguments)
      // ArgumentParser wraps the help's lines: read it as one line.
      let text = run.standardOutput.split(whereSeparator: \.isWhitespace).joined(separator: " ")
      #expect(text.contains("--optimizer <fmincg|lbfgs>"), "\(program) \(arguments): \(text)")
      #expect(
        text.contains("fmincg, the course's conjugate gradients") && text.contains("lbfgs, limited-memory BFGS"),
        "\(program) \(arguments): \(text)")
    }
  }
}
