import Foundation
import Testing

import ExercisePrograms
import NeuralNetworkLearning
import Pictures
import TestSupport

/// `ex4 sweep`: its table, its independence from scheduling, its agreement with `ex4 --validation`.
@Suite(.serialized)
struct Ex4SweepTests {
  static let dataName = "ex4data1-8bit.mat"

  /// One row of the printed table.
  struct Row: Equatable {
    var seed: Int
    var hidden: Int
    var iterations: Int
    var lambda: Double
    var trainingAccuracy: Double
    var validationAccuracy: Double
    var trainingCost: Double
    var validationCost: Double
    var best: Bool
  }

  /// The table's rows, read from the lines after its header.
  static func rows(_ output: String) -> [Row] {
    let lines = output.split(separator: "\n")
    guard let header = lines.firstIndex(where: { $0.contains("seed") && $0.contains("validation J") }) else {
      return []
    }
    return lines[(header + 1)...].prefix { !$0.hasPrefix("(") }.compactMap { line in
      let fields = line.split(separator: " ")
      guard fields.count >= 8, let seed = Int(fields[0]), let hidden = Int(fields[1]), let iterations = Int(fields[2]),
        let lambda = Double(fields[3]), let a = Double(fields[4]), let b = Double(fields[5]), let c = Double(fields[6]),
        let d = Double(fields[7])
      else { return nil }
      return Row(
        seed: seed, hidden: hidden, iterations: iterations, lambda: lambda, trainingAccuracy: a, validationAccuracy: b,
        trainingCost: c, validationCost: d, best: line.contains("← best"))
    }
  }

  func sweep(_ arguments: [String], in dir: TemporaryDirectory) throws -> ProgramRun {
    let run = try ProgramRun.run(
      "ex4", ["sweep", "--data", CourseFile.path(Self.dataName), "--output-dir", dir.file("out")] + arguments)
    #expect(run.status == 0, "ex4 sweep \(arguments) failed: \(run.standardError)")
    #expect(run.standardError.isEmpty, "stderr: \(run.standardError)")
    return run
  }

  @Test(
    "one training at a time or two side by side: the same table, bit for bit",
    .enabled(if: CourseFile.has(dataName), CourseFile.missing(dataName)))
  func independentOfScheduling() throws {
    let dir = try TemporaryDirectory()
    let grid = ["--lambdas", "0,1,3", "--hidden-sizes", "10,25", "--iterations", "8", "--seeds", "4"]
    let one = Self.rows(try sweep(grid + ["--jobs", "1"], in: dir).standardOutput)
    let two = Self.rows(try sweep(grid + ["--jobs", "2"], in: dir).standardOutput)
    #expect(one.count == 6)
    #expect(one == two)
    #expect(one.filter(\.best).count == 1)
    #expect(one.map(\.hidden) == [10, 10, 10, 25, 25, 25] && one.map(\.lambda) == [0, 1, 3, 0, 1, 3])
  }

  @Test(
    "its row for lambda 1, 25 hidden units, 50 iterations and seed 1 is ex4 --seed 1 --validation 20%",
    .enabled(if: CourseFile.has(dataName), CourseFile.missing(dataName)))
  func agreesWithTheCourseRun() throws {
    let dir = try TemporaryDirectory()
    let row = try #require(Self.rows(try sweep(["--lambdas", "1", "--seeds", "1"], in: dir).standardOutput).first)
    try Self.expectCourseRun([], matches: row, in: dir)
  }

  /// Runs `ex4 --seed 1 --validation 20%` (plus `options`) on the 8-bit data
  /// and expects its training and validation accuracies to be `row`'s, as
  /// the sweep prints them.
  static func expectCourseRun(
    _ options: [String], matches row: Row, in dir: TemporaryDirectory,
    sourceLocation: SourceLocation = #_sourceLocation
  ) throws {
    let course = try ProgramRun.run(
      "ex4",
      options + [
        "--data", CourseFile.path(dataName), "--seed", "1", "--no-pause", "--validation", "20%",
        "--output-dir", dir.file("course"),
      ])
    #expect(course.status == 0, "ex4 failed: \(course.standardError)", sourceLocation: sourceLocation)
    let training = try #require(
      course.numbers(after: "Training Set Accuracy:").first, sourceLocation: sourceLocation)
    let validation = try #require(
      course.numbers(after: "Validation Set Accuracy:").first, sourceLocation: sourceLocation)
    #expect(
      String(format: "%.2f", training) == String(format: "%.2f", row.trainingAccuracy),
      sourceLocation: sourceLocation)
    #expect(
      String(format: "%.2f", validation) == String(format: "%.2f", row.validationAccuracy),
      sourceLocation: sourceLocation)
  }

  @Test(
    "the default grid: 16 trainings, each seed's best marked, lambda 10 worst, the verdict on stability consistent",
    .enabled(if: CourseFile.has(dataName), CourseFile.missing(dataName)))
  func defaultGrid() throws {
    let dir = try TemporaryDirectory()
    let run = try sweep(["--report", "sweep.html"], in: dir)
    let rows = Self.rows(run.standardOutput)
    #expect(rows.count == 16)
    #expect(Set(rows.map(\.lambda)) == [0, 0.01, 0.03, 0.1, 0.3, 1, 3, 10])
    #expect(rows.allSatisfy { $0.hidden == 25 && $0.iterations == 50 })
    var bestLambdas: [Int: Double] = [:]
    for seed in [1, 2] {
      let mine = rows.filter { $0.seed == seed }
      #expect(mine.count == 8)
      #expect(mine.allSatisfy { (85...97).contains($0.validationAccuracy) }, "seed \(seed)")
      let best = try #require(mine.filter(\.best).first)
      #expect(mine.filter(\.best).count == 1)
      #expect(best.validationAccuracy == mine.map(\.validationAccuracy).max())
      bestLambdas[seed] = best.lambda
      // Strong regularisation costs accuracy: lambda 10 fits the training examples worst, and is not the best.
      let ten = try #require(mine.first { $0.lambda == 10 })
      #expect(ten.trainingAccuracy == mine.map(\.trainingAccuracy).min())
      #expect(ten.validationAccuracy < best.validationAccuracy)
      #expect(run.standardOutput.contains(String(format: "Best for seed %d: lambda = %g,", seed, best.lambda)))
      // The lambdas listed as within one standard error of the best are exactly those within it.
      let p = best.validationAccuracy / 100
      let error = 100 * (p * (1 - p) / 1000).squareRoot()
      let prefix = String(
        format: "Seed %d: within one standard error (%.2f points on 1000 examples) of the best: lambda ", seed, error)
      let line = try #require(run.standardOutput.split(separator: "\n").first { $0.hasPrefix(prefix) }, "no \(prefix)")
      let listed = line.dropFirst(prefix.count).dropLast().split(separator: ", ").compactMap { Double($0) }
      #expect(listed == mine.filter { $0.validationAccuracy >= best.validationAccuracy - error }.map(\.lambda))
      #expect(listed.contains(best.lambda))
    }
    #expect(run.standardOutput.contains("16 trainings, 2 at a time on"))
    let same = bestLambdas[1] == bestLambdas[2]
    #expect(run.standardOutput.contains("is the same for both seeds.") == same)
    #expect(run.standardOutput.contains("it is not stable across seeds") == !same)

    let picture = try PNGImage.readGrey(dir.file("out/sweep.png"))
    #expect(picture.rows == 520 && picture.columns == 800)
    let svg = try String(contentsOfFile: dir.file("out/sweep.svg"), encoding: .utf8)
    #expect(svg.components(separatedBy: "<polyline").count - 1 == 4)  // validation and training, each seed
    let html = try String(contentsOfFile: dir.file("out/sweep.html"), encoding: .utf8)
    #expect(html.components(separatedBy: "<tr class=\"best\">").count - 1 == 2)
    #expect(html.contains("data:image/png;base64,"))
  }

  @Test(
    "bad lists: one line naming the option, status 64")
  func badInput() throws {
    let dir = try TemporaryDirectory()
    let cases: [([String], String)] = [
      (["--lambdas", "0,-1"], "--lambdas takes finite numbers ≥ 0 separated by commas, got '0,-1'"),
      (["--lambdas", "0,,1"], "--lambdas takes finite numbers ≥ 0 separated by commas, got '0,,1'"),
      (["--hidden-sizes", "0"], "--hidden-sizes takes whole numbers from 1 to 10000 separated by commas, got '0'"),
      (["--iterations", "ten"], "--iterations takes whole numbers from 1 to 100000 separated by commas"),
      (["--seeds", "1,x"], "--seeds takes whole numbers from 0 to 4294967295 separated by commas, got '1,x'"),
      (["--validation", "120%"], "Error: --validation must be a percentage"),
      (["--jobs", "0"], "Error: --jobs must be between 1 and 256, got 0"),
      (["--lambdas", (0...1000).map(String.init).joined(separator: ",")], "a sweep allows at most 1000"),
    ]
    for (arguments, message) in cases {
      let run = try ProgramRun.run("ex4", ["sweep", "--output-dir", dir.file("out")] + arguments)
      #expect(run.status == 64, "\(arguments): status \(run.status)")
      #expect(
        run.standardError.split(separator: "\n").first.map { $0.hasPrefix("Error: ") && $0.contains(message) } == true,
        "\(arguments): stderr was \(run.standardError)")
    }
  }

  /// λ = 1e308 overflows the cost: that training is reported as failed with
  /// its reason, never marked best, in either order of the grid.
  @Test(
    "a training whose cost overflows is failed, never best, in either order",
    .enabled(if: CourseFile.has(dataName), CourseFile.missing(dataName)),
    arguments: ["1e308,1", "1,1e308"])
  func anOverflowingTrainingIsNeverBest(lambdas: String) throws {
    let dir = try TemporaryDirectory()
    let run = try sweep(["--lambdas", lambdas, "--iterations", "1", "--seeds", "1"], in: dir)
    let rows = Self.rows(run.standardOutput)
    #expect(rows.map(\.lambda) == [1] && rows.first?.best == true, "\(run.standardOutput)")
    #expect(
      run.standardOutput.split(separator: "\n").contains {
        $0.contains(" 1e+308 ") && $0.components(separatedBy: " failed").count == 5 && !$0.contains("best")
      })
    #expect(
      run.standardOutput.contains(
        "Failed: seed 1, 25 hidden units, 1 iterations, lambda 1e+308: the cost overflowed at λ = 1e+308 "
          + "(training ended at a cost that is not finite)."))
    #expect(run.standardOutput.contains("Best for seed 1: lambda = 1, 25 hidden units, 1 iterations"))
    #expect(run.standardOutput.contains("of the best: lambda 1."))
    #expect(!run.standardOutput.contains("nan%") && !run.standardOutput.contains(" nan"))
  }

  /// A value given twice is trained once, with a note.
  @Test(
    "duplicates in a list are trained once, with a note",
    .enabled(if: CourseFile.has(dataName), CourseFile.missing(dataName)))
  func duplicatesAreMerged() throws {
    let dir = try TemporaryDirectory()
    let run = try sweep(["--lambdas", "1,1,3,1", "--iterations", "1", "--seeds", "2,2"], in: dir)
    #expect(Self.rows(run.standardOutput).map(\.lambda) == [1, 3])
    #expect(run.standardOutput.contains("Note: --lambdas gives 1 more than once; each value is trained once.\n"))
    #expect(run.standardOutput.contains("Note: --seeds gives 2 more than once; each value is trained once.\n"))
    #expect(run.standardOutput.contains(": 2 trainings\n"))
  }

  /// 64 trainings of 10000 hidden units at once need far more memory than
  /// this machine has: refused with the number, status 64, before training.
  @Test(
    "a sweep too large for memory exits 64 before training",
    .enabled(if: CourseFile.has(dataName), CourseFile.missing(dataName)),
    .enabled(if: (NetworkMemory.available() ?? .infinity) < 80e9, "this machine has more than 80 GB available"))
  func aSweepTooLargeForMemoryIsRefused() throws {
    let dir = try TemporaryDirectory()
    let lambdas = (1...64).map(String.init).joined(separator: ",")
    let run = try ProgramRun.run(
      "ex4",
      [
        "sweep", "--data", CourseFile.path(Self.dataName), "--output-dir", dir.file("out"), "--hidden-sizes", "10000",
        "--lambdas", lambdas, "--seeds", "1", "--jobs", "64",
      ])
    #expect(run.status == 64, "status \(run.status): \(run.standardError)")
    let first = run.standardError.split(separator: "\n").first.map(String.init) ?? ""
    #expect(
      first.hasPrefix(
        "Error: --hidden-sizes 10000, --jobs 64: 64 trainings at once on 4000 examples need about "),
      "\(first)")
    #expect(first.contains("available: use fewer --jobs or smaller --hidden-sizes"))
    #expect(!run.standardOutput.contains("Sweep over"))
  }
}
