import Foundation
import Testing

import ExerciseGrading
import NeuralNetworkLearning
import TestSupport

/// A function that stops, loops or allocates without end fails its own
/// part, with a message saying what happened, and the other parts are still
/// graded. Each plant misbehaves in one place only: the graded call of
/// sigmoidGradient (part 3), nnCostFunction (parts 1, 2, 4, 5), or
/// randInitializeWeights (the ungraded checks).
@Suite
struct MisbehaviourTests {
  /// Checks that only `failing` lost points and returns their failures.
  func expectOnlyFailing(
    _ report: SubmissionReport, _ failing: Set<GradedPart>, sourceLocation: SourceLocation = #_sourceLocation
  ) -> [ChildFailure] {
    for part in GradedPart.allCases {
      let result = report.part(part)
      if failing.contains(part) {
        #expect(result.score == 0 && result.failure != nil, "part \(part.rawValue)", sourceLocation: sourceLocation)
      } else {
        #expect(
          result.score == part.points,
          "part \(part.rawValue): \(result.findings) \(String(describing: result.failure))",
          sourceLocation: sourceLocation)
      }
    }
    return failing.compactMap { report.part($0).failure }
  }

  /// `file.swift:line` in one of the planted exercise's files.
  static func isPlantedLine(_ location: String) -> Bool {
    let parts = location.split(separator: ":")
    return parts.count == 2 && ["PlantedFunctions.swift", "PlantedCommand.swift"].contains(parts[0])
      && Int(parts[1]) != nil
  }

  @Test("The loop's line is the first frame in the student's files that has a line")
  func loopLocationFromABacktrace() {
    let backtrace = """
      *** Program crashed: Quit ***
      Thread 0 crashed:
        0               0x0000563117816ecd endless() + 45 in ex4-planted at /w/Tests/PlantedExercise/PlantedFunctions.swift
        1 [ra]          0x00005631178067fe closure #2 in f + 29 in ex4-planted at /w/Tests/PlantedExercise/PlantedCommand.swift:28:27
        2 [ra]          0x00005631178067fe Matrix.map + 29 in ex4-planted at /w/Sources/OctaveCore/Matrix.swift:20:5
      """
    #expect(ChildFailure.location(in: backtrace, marker: "/Tests/PlantedExercise/") == "PlantedCommand.swift:28")
    #expect(ChildFailure.location(in: backtrace, marker: "/exercises/student/") == nil)
  }

  @Test("A trap (a Matrix index out of range) fails part 3 only, naming the message and the line")
  func trap() throws {
    let report = try Planted.grade("trapInSigmoidGradient")
    let failures = expectOnlyFailing(report, [.sigmoidGradient])
    guard case .stopped(let message, let location)? = failures.first else {
      Issue.record("not a stop: \(failures)")
      return
    }
    #expect(message.contains("Matrix index (4, 1) out of bounds for a 3×10 matrix"), "\(message)")
    #expect(location?.hasPrefix("PlantedCommand.swift:") == true, "\(String(describing: location))")
    #expect(report.rendered(subject: "t").contains("It stopped at PlantedCommand.swift:"))
    #expect(report.initialisation.passed)
  }

  @Test("fatalError in nnCostFunction fails the four parts that call it; sigmoidGradient keeps its 5 points")
  func fatalErrorInCost() throws {
    let report = try Planted.grade("fatalErrorInCost")
    let failures = expectOnlyFailing(
      report, [.feedforwardCost, .regularizedCost, .backpropagation, .regularizedGradient])
    #expect(failures.count == 4)
    for failure in failures {
      guard case .stopped(let message, let location) = failure else {
        Issue.record("not a stop: \(failure)")
        continue
      }
      #expect(message == "Fatal error: nnCostFunction is not finished")
      #expect(location?.hasPrefix("PlantedFunctions.swift:") == true)
    }
    #expect(report.total == 5)
  }

  @Test("A loop that never ends fails part 3 after the time limit; the rest is graded")
  func endlessLoop() throws {
    let clock = ContinuousClock()
    let start = clock.now
    let report = try Planted.grade("loopInSigmoidGradient", seconds: 3)
    let elapsed = clock.now - start
    let failures = expectOnlyFailing(report, [.sigmoidGradient])
    guard case .timedOut(3, let location)? = failures.first else {
      Issue.record("not a time-out: \(failures)")
      return
    }
    // Where the loop was, read from the backtrace SIGQUIT asked for when it
    // came in time (symbolicating takes seconds on a busy machine).
    #expect(location.map(Self.isPlantedLine) ?? true, "\(String(describing: location))")
    #expect(report.rendered(subject: "t").contains("It did not finish within 3 s and was stopped"))
    // One part waited for its limit; the other five tasks ran normally.
    #expect(elapsed > .seconds(3) && elapsed < .seconds(60), "\(elapsed)")
  }

  @Test("An allocation that never stops runs into the memory limit and fails part 3 only")
  func unboundedAllocation() throws {
    let report = try Planted.grade("allocationInSigmoidGradient")
    let failures = expectOnlyFailing(report, [.sigmoidGradient])
    guard case .outOfMemory(let megabytes, _)? = failures.first else {
      Issue.record("not out of memory: \(failures)")
      return
    }
    #expect(megabytes == Grader.Limits().memoryMegabytes)
    #expect(report.rendered(subject: "t").contains("It ran out of memory"))
  }

  @Test("Recursion without end overflows the stack and fails part 3 only, said as such")
  func endlessRecursion() throws {
    let report = try Planted.grade("recursionInSigmoidGradient")
    let failures = expectOnlyFailing(report, [.sigmoidGradient])
    guard case .stopped(let message, let location)? = failures.first else {
      Issue.record("not a stop: \(failures)")
      return
    }
    #expect(message.contains("stack overflowed"), "\(message)")
    #expect(location?.hasPrefix("PlantedCommand.swift:") == true)
  }

  @Test("Printing without end stops at the output limit (64 MB) and fails part 3 only")
  func endlessPrinting() throws {
    let report = try Planted.grade("printingInSigmoidGradient")
    let failures = expectOnlyFailing(report, [.sigmoidGradient])
    guard case .stopped(let message, _)? = failures.first else {
      Issue.record("not a stop: \(failures)")
      return
    }
    #expect(message.contains("wrote more output than allowed"), "\(message)")
  }

  @Test("A loop in randInitializeWeights fails the ungraded checks only: 100 points")
  func loopInInitialisation() throws {
    let report = try Planted.grade("loopInRandomInitialisation", seconds: 3)
    _ = expectOnlyFailing(report, [])
    #expect(report.total == 100)
    guard case .timedOut(3, _)? = report.initialisation.failure else {
      Issue.record("not a time-out: \(String(describing: report.initialisation.failure))")
      return
    }
  }

  @Test("A loop in nnCostFunction stops the grading of the three other parts that call it, with the loop's line")
  func loopInCostStopsItsOtherParts() throws {
    let clock = ContinuousClock()
    let start = clock.now
    let lines = Lines()
    let report = try Planted.grade("loopInCost", seconds: 4, progress: { lines.append($0) })
    let elapsed = clock.now - start
    let failures = expectOnlyFailing(
      report, [.feedforwardCost, .regularizedCost, .backpropagation, .regularizedGradient])
    guard case .timedOut(4, let location)? = report.part(.feedforwardCost).failure else {
      Issue.record("part 1 is not a time-out: \(failures)")
      return
    }
    #expect(location.map(Self.isPlantedLine) ?? true, "\(String(describing: location))")
    for part in [GradedPart.regularizedCost, .backpropagation, .regularizedGradient] {
      #expect(report.part(part).failure == .sameLoop(in: "part 1", location: location), "part \(part.rawValue)")
    }
    let text = report.rendered(subject: "t")
    #expect(text.contains("Not graded: part 1 calls the same function and did not finish"), "\(text)")
    // One time limit waited for (and the backtrace), not four.
    #expect(elapsed < .seconds(4 * 4), "\(elapsed)")
    // The line said while part 1 ran past the few seconds.
    #expect(
      lines.all == [Grader.stillRunning(.feedforwardCost, after: Grader.progressAfter, limit: 4)], "\(lines.all)")
  }

  @Test("submit with an endless loop in nnCostFunction, at the default time limit, ends within 25 s and says it waits")
  func submitWithEndlessLoop() throws {
    let clock = ContinuousClock()
    let start = clock.now
    let run = try ProgramRun.run(Planted.program, ["submit", "--plant", "loopInCost"])
    let elapsed = clock.now - start
    #expect(run.status == 0, "\(run.standardError)")
    #expect(elapsed < .seconds(25), "\(elapsed)")
    #expect(run.standardOutput.contains("|   5 / 100 |"), "\(run.standardOutput)")
    #expect(
      run.standardError == Grader.stillRunning(.feedforwardCost, after: Grader.progressAfter, limit: 10) + "\n",
      "\(run.standardError)")
  }

  @Test(
    "A supervised run (ex4 --student) that crashes in the student's code: one message with the line and the hint, the output before it kept when piped, exit 1"
  )
  func supervisedCrash() throws {
    let run = try ProgramRun.run(Planted.program, ["script", "--plant", "delta2KeepsBiasTrap"])
    #expect(run.status == 1, "\(run.standardError)")
    #expect(run.standardOutput == "Feedforward Using Neural Network ...\n", "\(run.standardOutput)")
    let lines = run.standardError.split(separator: "\n")
    #expect(lines.count == 2, "\(run.standardError)")
    #expect(
      lines.first?.hasPrefix("Error: the exercise stopped in your code. It stopped at PlantedFunctions.swift:") == true,
      "\(run.standardError)")
    #expect(lines.last?.hasPrefix("A guess from the shapes (16×5 against 16×4)") == true, "\(run.standardError)")
    for noise in ["Backtrace", "Thread 0", "rax", "0x0000"] {
      #expect(!run.standardError.contains(noise), "\(noise): \(run.standardError)")
    }
    // A run that does not crash is the program's own: its output and status.
    let fine = try ProgramRun.run(Planted.program, ["script", "--plant", "none"])
    #expect(fine.status == 0, "\(fine.standardError)")
    let J = Assessment(outputs: [:]).expected(lambda: 0).J
    #expect(
      fine.standardOutput.hasSuffix(String(format: "Cost at the grader's parameters: %f\n", J)),
      "\(fine.standardOutput)")
  }

  @Test("Control characters a trap's message holds are spelled out in the report, never sent to the terminal")
  func escapeSequences() throws {
    let report = try Planted.grade("escapeSequencesInSigmoidGradient")
    _ = expectOnlyFailing(report, [.sigmoidGradient])
    let text = report.rendered(subject: "t")
    #expect(!text.unicodeScalars.contains { $0 == "\u{1B}" || $0 == "\r" }, "\(text.debugDescription)")
    #expect(text.contains(#"\r\u{1B}[2K\u{1B}[32m== Sigmoid Gradient"#), "\(text)")
  }

  @Test("A grandchild in a session of its own does not outlive its part")
  func setsidGrandchild() throws {
    let report = try Planted.grade("setsidChildInSigmoidGradient")
    #expect(report.total == 100)
    #expect(Lingering.processes().isEmpty, "\(Lingering.processes())")
  }

  @Test("A part cannot start processes without limit: it stops at the user's tasks plus ProcessLimits.extraTasks")
  func processLimit() throws {
    let report = try Planted.grade("manyProcessesInSigmoidGradient")
    _ = expectOnlyFailing(report, [.sigmoidGradient])
    guard case .stopped(let message, _)? = report.part(.sigmoidGradient).failure else {
      Issue.record("not a stop: \(String(describing: report.part(.sigmoidGradient).failure))")
      return
    }
    let started = try #require(message.split(separator: " ").compactMap { Int($0) }.first, "\(message)")
    #expect(started < 1000, "\(message)")
    #expect(Lingering.processes().isEmpty, "\(Lingering.processes())")
  }
}

/// The ungraded checks of randInitializeWeights: each planted mistake fails
/// its own check and passes the others; the lecture notes' rule passes all.
@Suite
struct InitialisationCheckTests {
  @Test(
    arguments: [
      ("none", nil), ("initialisationSameEveryCall", .callsDiffer), ("initialisationTooWide", .range),
      ("initialisationTransposed", .shape), ("initialisationIgnoresGenerator", .seedRepeats),
    ] as [(String, InitialisationCheck.Kind?)])
  func initialisation(plant: String, failing: InitialisationCheck.Kind?) throws {
    let report = try Planted.grade(plant)
    #expect(report.total == 100)
    let check = report.initialisation
    #expect(check.failure == nil)
    #expect(check.items.count == 5)
    for item in check.items {
      #expect(item.passed == (item.kind != failing), "\(item.kind): \(item.text)")
    }
  }

  @Test("The range allowed is the wider of the rule √6/√(L_in + L_out) and the course's 0.12")
  func epsilonInit() {
    #expect(InitialisationCheck.epsilonInit(400, 25) == 0.12)  // √6/√425 ≈ 0.1188
    #expect(abs(InitialisationCheck.epsilonInit(25, 10) - 0.414039) < 1e-6)
  }
}

/// Lines said by the grader while it works, collected from any thread.
final class Lines: @unchecked Sendable {
  private let lock = NSLock()
  private var lines: [String] = []
  func append(_ line: String) { lock.withLock { lines.append(line) } }
  var all: [String] { lock.withLock { lines } }
}

/// The processes the plants leave behind if nothing ends them: `sleep 4242.4242`.
enum Lingering {
  static func processes() -> [String] {
    let names = (try? FileManager.default.contentsOfDirectory(atPath: "/proc")) ?? []
    return names.filter { Int($0) != nil }.compactMap { pid in
      guard let data = FileManager.default.contents(atPath: "/proc/\(pid)/cmdline"),
        String(decoding: data, as: UTF8.self).contains("4242.4242"),
        let stat = try? String(contentsOfFile: "/proc/\(pid)/stat", encoding: .utf8), !stat.contains(") Z ")
      else { return nil }
      return pid
    }
  }
}

/// Whether `nobody` could read the program, which decides whether a part
/// started by root runs as `nobody`: a folder on the way that others may not
/// enter, or a file they may not read, says no.
@Test func othersCanReadFollowsEveryFolderOnTheWay() throws {
  let dir = try TemporaryDirectory()
  let folder = dir.file("inner")
  try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: false)
  let program = folder + "/program"
  #expect(FileManager.default.createFile(atPath: program, contents: Data([0])))
  chmod(dir.path, 0o755)
  chmod(folder, 0o755)
  chmod(program, 0o755)
  let everyoneMayRead = ProcessLimits.othersCanRead(program)
  chmod(folder, 0o700)
  let folderClosed = ProcessLimits.othersCanRead(program)
  chmod(folder, 0o755)
  chmod(program, 0o700)
  let fileClosed = ProcessLimits.othersCanRead(program)
  // Readable when the temporary folder itself is (where TMPDIR leads).
  #expect(everyoneMayRead == ProcessLimits.othersCanRead(FileManager.default.temporaryDirectory.path))
  #expect(!folderClosed)
  #expect(!fileClosed)
}
