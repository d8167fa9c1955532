import Foundation
import Testing

import NeuralNetworkLearning
import Pictures
import TestSupport

/// `ex4-linear` with its defaults on exercise 5's data, seeds 1–5.
@Suite(.serialized)
struct Ex4LinearProgramTests {
  @Test(
    "ex4-linear reaches a final cost of 0.2–0.45 for at least 4 of seeds 1–5, and plots the fit",
    .enabled(if: CourseFile.has("ex5data1.mat"), CourseFile.missing("ex5data1.mat")))
  func seeds() throws {
    let dir = try TemporaryDirectory()
    var finalCosts: [Double] = []
    for seed in 1...5 {
      let out = dir.file("seed\(seed)")
      let run = try ProgramRun.run("ex4-linear", ["--seed", "\(seed)", "--output-dir", out])
      #expect(run.status == 0, "seed \(seed): \(run.standardError)")
      let final = try #require(run.numbers(after: "Final cost:").first)
      finalCosts.append(final)
      #expect(run.numbers(after: "Validation cost:").count == 1)
      #expect(run.numbers(after: "Test cost:").count == 1)
      // The fit plot: an SVG with the 12 training crosses and the predictLinear line.
      let fit = try String(contentsOfFile: (out as NSString).appendingPathComponent("fit.svg"), encoding: .utf8)
      #expect(fit.hasPrefix("<svg"))
      #expect(fit.components(separatedBy: "<polyline").count == 2)
      let cost = try String(contentsOfFile: (out as NSString).appendingPathComponent("cost.svg"), encoding: .utf8)
      #expect(cost.contains("<polyline"))
    }
    let good = finalCosts.filter { $0 >= 0.2 && $0 <= 0.45 }.count
    #expect(good >= 4, "final costs for seeds 1–5: \(finalCosts)")
  }

  @Test(
    "ex4-linear's final cost is the cost of the weights it ends with",
    .enabled(if: CourseFile.has("ex5data1.mat"), CourseFile.missing("ex5data1.mat")))
  func finalCostMatchesLibrary() throws {
    // The same training in-process: OctaveRandom(seed: 2), 1-8-1 network, lambda 0, MaxIter 200.
    let data = try CourseFile.read("ex5data1.mat")
    var random = OctaveRandom(seed: 2)
    let initial = unroll(randInitializeWeights(1, 8, using: &random), randInitializeWeights(8, 1, using: &random))
    let f = { (p: Matrix) in
      nnCostFunctionLinear(p, inputLayerSize: 1, hiddenLayerSize: 8, X: data["X"]!, y: data["y"]!, lambda: 0)
    }
    let (trained, fX, _) = fmincg({ f($0) }, initial, maxIter: 200, progress: .silent)
    #expect(fX.count > 0)
    #expect(relativeDifference(f(trained).J, fX.last!) < 1e-12)
  }

  @Test(
    "ex4-linear with a missing data file says so on one line")
  func missingData() throws {
    let dir = try TemporaryDirectory()
    let run = try ProgramRun.run(
      "ex4-linear", ["--output-dir", dir.file("out")], environment: ["EX4_DATA_DIR": dir.path])
    #expect(run.status != 0)
    #expect(run.standardError.contains("ex5data1.mat not found"))
    #expect(run.standardError.split(separator: "\n").count == 1, "stderr: \(run.standardError)")
  }
}
