import Foundation
import Testing

import ExerciseGrading
import NeuralNetworkLearning
import TestSupport

/// Whether `exercises/student/` holds the untouched starters: its functions,
/// run as `ex4 submit` runs them (in a child process, so that a student's
/// half-written code cannot stop the tests), return only zeros.
enum Starters {
  static let untouched: Bool = {
    for task in [GradingTask.sigmoidGradient, .feedforwardCost, .randomInitialisation] {
      let result = FileManager.default.temporaryDirectory.appendingPathComponent("starters-\(UUID().uuidString)").path
      defer { try? FileManager.default.removeItem(atPath: result) }
      guard let run = try? ProgramRun.run("ex4", ["grade-part", task.rawValue, "--result", result]), run.status == 0,
        let text = try? String(contentsOfFile: result, encoding: .utf8), let output = TaskOutput(encoded: text),
        output.J ?? 0 == 0, output.matrices.allSatisfy({ $0.values.allSatisfy { $0 == 0 } })
      else { return false }
    }
    return true
  }()

  static let notUntouched: Comment =
    "skipped: exercises/student/ has work in it (these tests check the starters; `git restore exercises/student/` puts them back)"
}

/// A fenced block of the student's guide (exercises/student/README.md) that
/// shows a run: the command after `$ swift run`, and the lines shown, in
/// pieces where the guide leaves lines out (`…`).
struct ReadmeRun: CustomTestStringConvertible, Sendable {
  let program: String
  let arguments: [String]
  let pieces: [[String]]

  var testDescription: String { ([program] + arguments).joined(separator: " ") }

  static let readme = Fixture.root.deletingLastPathComponent().appendingPathComponent("exercises/student/README.md")

  /// Every ```text block whose first line is `$ swift run <command>` with one of the prefixes.
  static func blocks(_ prefixes: [String]) -> [ReadmeRun] {
    guard let text = try? String(contentsOf: readme, encoding: .utf8) else { return [] }
    var runs: [ReadmeRun] = []
    var lines = text.components(separatedBy: "\n")[...]
    while let line = lines.popFirst() {
      guard line == "```text", let first = lines.first, first.hasPrefix("$ swift run "),
        prefixes.contains(where: { first.dropFirst(12).hasPrefix($0) })
      else { continue }
      lines.removeFirst()
      let words = first.dropFirst(12).split(separator: " ").map(String.init)
      var pieces: [[String]] = [[]]
      while let body = lines.popFirst(), body != "```" {
        if body == "…" { pieces.append([]) } else { pieces[pieces.count - 1].append(trimmed(body)) }
      }
      runs.append(
        ReadmeRun(program: words[0], arguments: Array(words.dropFirst()), pieces: pieces.filter { !$0.isEmpty }))
    }
    return runs
  }

  static func trimmed(_ line: some StringProtocol) -> String {
    var s = String(line)
    while s.last == " " { s.removeLast() }
    return s
  }

  /// Checks that each piece appears in `output`, whole and in order.
  func expectShown(in output: String, sourceLocation: SourceLocation = #_sourceLocation) {
    let lines = output.components(separatedBy: "\n").map(Self.trimmed)
    var from = 0
    for piece in pieces {
      let found = (from...max(from, lines.count - piece.count)).first { start in
        start + piece.count <= lines.count && Array(lines[start..<(start + piece.count)]) == piece
      }
      guard let start = found else {
        Issue.record(
          "README shows lines that `\(testDescription)` does not print (in this order):\n\(piece.joined(separator: "\n"))\n--- it printed:\n\(output)",
          sourceLocation: sourceLocation)
        return
      }
      from = start + piece.count
    }
  }
}

/// `ex4 submit` and `ex4 --student` as a student runs them, and the README's
/// runs of them, re-run and compared line by line.
@Suite(.serialized)
struct Ex4StudentProgramTests {
  @Test(
    "ex4 submit on the untouched starters: five parts at 0 points with feedback, exit 0, well under a minute",
    .enabled(if: Starters.untouched, Starters.notUntouched))
  func submitStarters() throws {
    let clock = ContinuousClock()
    let start = clock.now
    let run = try ProgramRun.run("ex4", ["submit"])
    #expect(clock.now - start < .seconds(60))
    #expect(run.status == 0, "\(run.standardError)")
    #expect(run.standardError.isEmpty, "\(run.standardError)")
    let rows = GradedPart.allCases.map { part in
      run.standardOutput.split(separator: "\n").first { $0.contains(" \(part.title) |") }.map(String.init) ?? ""
    }
    for (part, row) in zip(GradedPart.allCases, rows) {
      #expect(row.contains(String(format: "|   0 / %3d | not written yet", part.points)), "\(row)")
    }
    #expect(run.standardOutput.contains("|   0 / 100 |"))
    #expect(run.standardOutput.contains("NO  symmetry not broken: all 10025 weights are 0"))
    for block in ReadmeRun.blocks(["ex4 submit"]) where block.arguments == ["submit"] {
      block.expectShown(in: run.standardOutput)
    }
  }

  @Test("ex4 submit --reference: the reference implementation in the student's place scores 100/100")
  func submitReference() throws {
    let run = try ProgramRun.run("ex4", ["submit", "--reference"])
    #expect(run.status == 0, "\(run.standardError)")
    for part in GradedPart.allCases {
      #expect(
        run.standardOutput.contains(
          " \(part.title) | " + String(format: "%3d / %3d", part.points, part.points) + " | Correct"),
        "\(part.title)")
    }
    #expect(run.standardOutput.contains("| 100 / 100 |"))
    #expect(!run.standardOutput.contains("What the grader found"))
    #expect(!run.standardOutput.contains("NO  "))
    let blocks = ReadmeRun.blocks(["ex4 submit"]).filter { $0.arguments == ["submit", "--reference"] }
    #expect(blocks.count == 1, "README should show one run of ex4 submit --reference")
    for block in blocks { block.expectShown(in: run.standardOutput) }
  }

  @Test("The README's run of ex4-planted shows what a recognised mistake looks like")
  func readmeDiagnosis() throws {
    let blocks = ReadmeRun.blocks(["ex4-planted"])
    #expect(blocks.count == 1)
    for block in blocks {
      let run = try ProgramRun.run(block.program, block.arguments)
      #expect(run.status == 0, "\(run.standardError)")
      block.expectShown(in: run.standardOutput)
    }
  }

  @Test(
    "ex4 --student runs the whole script on the student's functions, to the end",
    .enabled(if: CourseFile.has("ex4weights.mat"), CourseFile.missing("ex4weights.mat")))
  func wholeScriptOnTheStudentsFunctions() throws {
    let blocks = ReadmeRun.blocks(["ex4 --student"])
    #expect(blocks.count == 1, "README should show one run of ex4 --student")
    let block = try #require(blocks.first)
    // The README's run is in a student's clone with the course's weights in
    // exercises/data and no ex4data1.mat (the built-in digits).
    let named = block.arguments.filter { $0.hasPrefix("exercises/data/") }.map { ($0 as NSString).lastPathComponent }
    let clone = try StudentClone(courseFiles: named)
    let arguments = block.arguments + ["--seed", "2"]
    let run = try ProgramRun.run("ex4", arguments, environment: clone.environment, in: clone.path)
    #expect(run.status == 0, "\(run.standardError)")
    #expect(run.standardOutput.contains("Running the exercise on your functions in exercises/student/"))
    // Every part ran: both costs, the gradient checks, training, the pictures, the accuracy.
    #expect(run.numbers(after: "Cost at parameters (loaded from ex4weights):").count == 2)
    #expect(run.standardOutput.components(separatedBy: "Relative Difference:").count == 3)
    #expect(run.standardOutput.contains("Training took "))
    #expect(FileManager.default.fileExists(atPath: clone.file("ex4-output/hidden-units.png")))
    let accuracy = try #require(run.numbers(after: "Training Set Accuracy:").first)
    guard Starters.untouched else { return }
    // On the starters the numbers show the work is still to do.
    #expect(run.numbers(after: "Cost at parameters (loaded from ex4weights):") == [0, 0])
    #expect(run.standardOutput.contains("Relative Difference: NaN"))
    #expect(run.standardOutput.contains("0 iterations, final cost none: no step lowered the cost"))
    #expect(accuracy == 10, "every example is given label 1 by all-zero weights: 500 of 5000")
    block.expectShown(in: clone.shown(run.standardOutput))
  }

  @Test("ex4 submit refuses a time limit that is not a positive number of seconds, given with = or apart")
  func submitWithBadTimeLimit() throws {
    for value in ["0", "-3", "nan", "601"] {
      for arguments in [["--time-limit=\(value)"], ["--time-limit", value]] {
        let run = try ProgramRun.run("ex4", ["submit"] + arguments)
        #expect(run.status == 64, "\(arguments): \(run.standardError)")
        #expect(
          run.standardError.hasPrefix("Error: --time-limit must be a number of seconds above 0 and at most 600, got "),
          "\(arguments): \(run.standardError)")
      }
    }
  }

  @Test("--report takes a path from the current directory; a bare name still goes into the output folder")
  func reportPath() throws {
    let dir = try TemporaryDirectory()
    let quick = ["--no-pause", "--seed", "1", "--max-iter", "1", "--hidden-layer-size", "1", "--output-dir", "out"]
    try FileManager.default.createDirectory(atPath: dir.file("reports"), withIntermediateDirectories: true)
    for (given, written) in [
      ("reports/r.html", dir.file("reports/r.html")), (dir.file("absolute.html"), dir.file("absolute.html")),
      ("bare.html", dir.file("out/bare.html")),
    ] {
      let run = try ProgramRun.run("ex4", quick + ["--report", given], in: dir.path)
      #expect(run.status == 0, "\(given): \(run.standardError)")
      #expect(FileManager.default.fileExists(atPath: written), "\(given) → \(written)")
    }
    let missing = try ProgramRun.run("ex4", quick + ["--report", "nowhere/r.html"], in: dir.path)
    #expect(missing.status != 0)
    #expect(missing.standardError.hasPrefix("Error: nowhere: no such folder for --report"), "\(missing.standardError)")
  }

  @Test("A mistyped subcommand gets 'Did you mean', with one line and status 64")
  func mistypedSubcommand() throws {
    for (typed, meant) in [("sumbit", "submit"), ("clasify", "classify"), ("swep", "sweep")] {
      let run = try ProgramRun.run("ex4", [typed])
      #expect(run.status == 64, "\(typed): \(run.standardError)")
      #expect(
        run.standardError.hasPrefix("Error: Unknown subcommand '\(typed)'. Did you mean '\(meant)'?"),
        "\(run.standardError)")
    }
  }

  @Test("ex4 --student refuses --hidden-layers with one line")
  func studentWithDeeperNetwork() throws {
    let run = try ProgramRun.run("ex4", ["--student", "--hidden-layers", "25,25", "--no-pause"])
    #expect(run.status == 64)
    #expect(run.standardError.hasPrefix("Error: --student trains the course's network with one hidden layer"))
  }
}

/// The student's module (`Ex4Student`, exercises/student/) is built with
/// the course's toolkit only: whatever it depends on, directly or through
/// another module, holds no solution to the functions it is asked to write.
@Suite
struct StudentModuleTests {
  /// Each target of Package.swift and the targets it names as dependencies.
  static func targets() throws -> [String: [String]] {
    let manifest = try String(
      contentsOf: Fixture.root.deletingLastPathComponent().appendingPathComponent("Package.swift"), encoding: .utf8)
    var graph: [String: [String]] = [:]
    // `.target(name: "X", dependencies: [ … ]` and the like, over several lines.
    let pattern = #/\.(?:target|executableTarget|testTarget)\(\s*name:\s*"([^"]+)"\s*,\s*dependencies:\s*\[([^\]]*)\]/#
    for match in manifest.matches(of: pattern) {
      graph[String(match.1)] = match.2.matches(of: #/"([^"]+)"/#).map { String($0.1) }
    }
    return graph
  }

  @Test("Ex4Student sees CourseToolkit and OctaveCore, never the course module, the engine or the grader")
  func studentModuleSeesTheToolkitOnly() throws {
    let graph = try Self.targets()
    #expect(graph["NeuralNetworkLearning"] != nil, "Package.swift was not read: \(graph.keys.sorted())")
    var seen: Set<String> = []
    var queue = graph["Ex4Student"] ?? []
    while let next = queue.popLast() {
      if seen.insert(next).inserted { queue += graph[next] ?? [] }
    }
    #expect(seen.contains("CourseToolkit"), "\(seen)")
    for solutions in [
      "NeuralNetworkLearning", "NeuralNetworkEngine", "ExerciseData", "TrainingRecord", "ExercisePrograms",
      "ExerciseGrading",
    ] {
      #expect(!seen.contains(solutions), "Ex4Student reaches \(solutions): \(seen.sorted())")
    }
  }
}

extension StudentModuleTests {
  /// The nnCostFunction starter hands over Theta1 and Theta2 as the course's
  /// nnCostFunction.m does: its two reshape lines, before the student's part.
  @Test(
    "The nnCostFunction starter gives the reshape of nnParams into Theta1 and Theta2",
    .enabled(if: Starters.untouched, Starters.notUntouched))
  func starterGivesTheReshape() throws {
    let starter = try String(
      contentsOf: Fixture.root.deletingLastPathComponent().appendingPathComponent(
        "exercises/student/nnCostFunction.swift"), encoding: .utf8)
    let body = try #require(starter.components(separatedBy: ") -> (J: Double, grad: Matrix) {").last)
    let reshapes = body.split(separator: "\n").filter { $0.contains("reshape(nnParams[") }
    #expect(reshapes.count == 2, "\(reshapes)")
    #expect(reshapes.first?.contains("let Theta1 = ") == true && reshapes.last?.contains("let Theta2 = ") == true)
  }
}
