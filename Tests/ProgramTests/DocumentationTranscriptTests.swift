import Foundation
import Testing

import NeuralNetworkLearning
import OctaveCore
import TestSupport

/// One transcript in the documentation: a fenced block whose first line is
/// `$ swift run PROGRAM ARGUMENTS`, followed by what the program prints
/// (`…` or `...` lines stand for left-out output), in README.md, the
/// student's guide or a DocC article (``documents``).
///
/// Numbers that depend on the BLAS kernel (costs after training, the
/// training accuracy) are marked by the sentence after the block naming the
/// kernel they were measured with, "measured with OpenBLAS's Haswell
/// kernel": on that kernel they are compared exactly, on any other within
/// the bands of ``TranscriptLine/bands(program:)``. Timings are compared
/// by their format only, the gradient check's relative difference by its
/// order of magnitude, everything else exactly as printed.
struct DocumentedTranscript: CustomTestStringConvertible, Sendable {
  /// The document's path from the package root.
  let document: String
  let command: String
  let expected: [String]
  /// The kernel the document says the kernel-dependent numbers were
  /// measured with, nil when it names none (then every number is compared
  /// exactly).
  let kernel: String?
  let line: Int

  var testDescription: String { "\(place): \(command)" }
  var place: String { "\(document) line \(line)" }

  /// The package root, found from this file's location.
  static let root = Fixture.root.deletingLastPathComponent()

  /// The DocC catalog, whose articles are read whatever their names.
  static let catalog = "Sources/NeuralNetworkLearning/NeuralNetworkLearning.docc"

  /// The documents a transcript may be in: the front page, the student's
  /// guide and every article of the DocC catalog.
  static let documents: [String] = {
    let articles =
      (try? FileManager.default.contentsOfDirectory(atPath: root.appendingPathComponent(catalog).path)) ?? []
    return ["README.md", "exercises/student/README.md"]
      + articles.filter { $0.hasSuffix(".md") }.sorted().map { "\(catalog)/\($0)" }
  }()

  static func all() -> [DocumentedTranscript] { documents.flatMap { transcripts(in: $0) } }

  /// The transcripts of one document (none when it cannot be read).
  static func transcripts(in document: String) -> [DocumentedTranscript] {
    let path = root.appendingPathComponent(document).path
    guard let text = try? String(contentsOfFile: path, encoding: .utf8) else { return [] }
    let lines = text.components(separatedBy: "\n")
    var transcripts: [DocumentedTranscript] = []
    var k = 0
    while k < lines.count {
      guard lines[k].hasPrefix("```"), k + 1 < lines.count, lines[k + 1].hasPrefix("$ swift run ") else {
        k += 1
        continue
      }
      let start = k + 1
      var end = start
      while end < lines.count && !lines[end].hasPrefix("```") { end += 1 }
      // The paragraph after the block, up to the next blank line after text.
      var after = ""
      var p = end + 1
      while p < lines.count && (after.isEmpty || !lines[p].isEmpty) {
        after += lines[p] + " "
        p += 1
      }
      transcripts.append(
        DocumentedTranscript(
          document: document, command: lines[start], expected: Array(lines[(start + 1)..<end]),
          kernel: statedKernel(after), line: start + 1))
      k = end + 1
    }
    return transcripts
  }

  /// "measured with OpenBLAS's NAME kernel" in `text`: NAME.
  static func statedKernel(_ text: String) -> String? {
    let words = text.replacingOccurrences(of: "\n", with: " ").split(separator: " ")
    for i in words.indices.dropFirst(3) where words[i].hasPrefix("kernel") {
      if words[i - 3] == "with" && words[i - 2] == "OpenBLAS's" { return String(words[i - 1]) }
    }
    return nil
  }
}

/// One line of a transcript, split into its text and its numbers.
struct TranscriptLine {
  let text: String
  /// The line with every number replaced by `#`.
  let skeleton: String
  let numbers: [Double]
  let numberTexts: [String]

  init(_ line: String) {
    // Trailing spaces are not shown in the documents (the course's fprintf
    // formats end some lines with one).
    var text = line
    while text.last == " " { text.removeLast() }
    self.text = text
    var skeleton = ""
    var numbers: [Double] = []
    var numberTexts: [String] = []
    let characters = Array(text)
    var i = 0
    while i < characters.count {
      let c = characters[i]
      let startsNumber =
        c.isASCII && c.isNumber
        || (c == "-" && i + 1 < characters.count && characters[i + 1].isASCII && characters[i + 1].isNumber
          && (i == 0 || characters[i - 1] == " " || characters[i - 1] == "["))
      if startsNumber {
        var j = i + 1
        while j < characters.count {
          let d = characters[j]
          if d.isASCII && d.isNumber || d == "." && j + 1 < characters.count && characters[j + 1].isNumber {
            j += 1
          } else if d == "e", j + 2 < characters.count, characters[j + 1] == "-" || characters[j + 1] == "+",
            characters[j + 2].isNumber
          {
            j += 2
          } else {
            break
          }
        }
        let token = String(characters[i..<j])
        numberTexts.append(token)
        numbers.append(Double(token) ?? .nan)
        skeleton += "#"
        i = j
      } else {
        skeleton.append(c)
        i += 1
      }
    }
    self.skeleton = skeleton
    self.numbers = numbers
    self.numberTexts = numberTexts
  }

  /// How number `index` of this documented line is checked against a run's:
  /// nil for exactly as printed.
  enum Check {
    /// Any number in the same format (digits after the point): timings.
    case format
    /// The same power of ten: the gradient check's relative difference,
    /// whose digits depend on BLAS's rounding of differences of nearly equal
    /// costs, its size on the method (about 1e-11 with ε = 1e-4).
    case orderOfMagnitude
    /// Within a band any correct run reaches (kernel-dependent numbers).
    case band(ClosedRange<Double>, why: String)
  }

  /// The check for each number of this line: timings by format, the
  /// relative difference by magnitude, and the kernel-dependent numbers of
  /// `program` by band when `banded`.
  func checks(program: String, banded: Bool) -> [Check?] {
    var checks = [Check?](repeating: nil, count: numbers.count)
    if text.hasPrefix("Training took"), !checks.isEmpty { checks[0] = .format }
    if text.hasPrefix("Relative Difference:"), !checks.isEmpty { checks[0] = .orderOfMagnitude }
    guard banded else { return checks }
    for (index, band) in bands(program: program) { checks[index] = band }
    return checks
  }

  /// The kernel-dependent numbers of a line and their bands.
  ///
  /// - `ex4` (the course's network, 50 iterations of fmincg from `--seed`):
  ///   costs after training within 1e-3 relative of the document's. fmincg.md
  ///   measured runs that differ only in rounding drifting apart by about
  ///   tenfold every few line searches, up to 1e-4 relative at entry 50
  ///   (8e-9 between two Octave cost functions); OpenBLAS's four x86 kernels
  ///   end 1.5e-6 (one hidden layer) and 3e-5 (two) apart. A wrong gradient
  ///   or a broken line search ends far outside (the cost falls from 3.3).
  ///   The training accuracy within 1 percentage point (50 of 5000 digits):
  ///   the course's "about 95.3% ±1%"; the kernels agree to the digit.
  /// - `ex4-linear` (tanh network on 12 points, 200 line searches, many local
  ///   minima): where a run ends depends on rounding, so only the range any
  ///   seed reaches is checked: final cost 0.15–0.5 (Octave's seeds 0.25–0.33
  ///   but one stuck at 1.32; four OpenBLAS kernels, seeds 1–5: 0.19–0.44),
  ///   validation cost 12–18 and test cost 11–17 (the same runs: 13.9–16.5
  ///   and 12.7–15.2; a network that did not learn scores about 30 and more).
  func bands(program: String) -> [(Int, Check)] {
    let drift = "rounding drift after training"
    func relative(_ index: Int, _ r: Double) -> (Int, Check) {
      let v = numbers[index]
      return (index, .band((v - abs(v) * r)...(v + abs(v) * r), why: drift))
    }
    if program == "ex4" {
      if text.hasPrefix("Iteration"), numbers.count >= 2 { return [relative(1, 1e-3)] }
      if text.hasPrefix("Training took"), numbers.count >= 3 { return [relative(2, 1e-3)] }
      if text.hasPrefix("Training Set Accuracy:"), let a = numbers.first {
        return [(0, .band((a - 1)...(a + 1), why: "training accuracy"))]
      }
      // With --validation: the kept-aside accuracy within 1.5 points (15 of
      // its 1000 examples, wider than the training set's 1 point of 5000
      // because each example weighs five times as much), costs as above.
      func points(_ index: Int, _ width: Double, _ why: String) -> (Int, Check) {
        (index, .band((numbers[index] - width)...(numbers[index] + width), why: why))
      }
      if text.hasPrefix("After iteration"), numbers.count >= 5 {
        return [
          points(1, 1, "training accuracy"), relative(2, 1e-3), points(3, 1.5, "validation accuracy"),
          relative(4, 1e-3),
        ]
      }
      if text.hasPrefix("Validation Set Accuracy:") { return [points(0, 1.5, "validation accuracy")] }
      // ex4 sweep: each row is a training like the one above (λ and seed
      // exact), and each seed's best names its validation accuracy.
      // (A best row ends "← best for seed N": one number more, the seed, exact.)
      if skeleton.hasPrefix(" ")
        && (numbers.count == 8 || numbers.count == 9 && skeleton.hasSuffix("← best for seed #"))
      {
        return [
          points(4, 1, "training accuracy"), points(5, 1.5, "validation accuracy"), relative(6, 1e-3),
          relative(7, 1e-3),
        ]
      }
      if text.hasPrefix("Best for seed"), numbers.count >= 5 {
        return [points(numbers.count - 1, 1.5, "validation accuracy")]
      }
    } else if program == "ex4-linear" {
      let final = Check.band(0.15...0.5, why: "linear network's final cost, any seed")
      if text.hasPrefix("Iteration"), numbers.count >= 2 { return [(1, final)] }
      if text.hasPrefix("Final cost:") { return [(0, final)] }
      if text.hasPrefix("Validation cost:") { return [(0, .band(12...18, why: "validation cost, any seed"))] }
      if text.hasPrefix("Test cost:") { return [(0, .band(11...17, why: "test cost, any seed"))] }
    }
    return []
  }

  /// Whether `output` (a line a run printed) is this documented line, under `checks`.
  func matches(_ output: TranscriptLine, checks: [Check?]) -> Bool {
    guard output.skeleton == skeleton, output.numbers.count == numbers.count else { return false }
    for k in numbers.indices {
      switch checks[k] {
      case nil:
        if output.numberTexts[k] != numberTexts[k] { return false }
      case .format:
        let decimals = { (s: String) in s.split(separator: ".").dropFirst().first?.count ?? 0 }
        if decimals(output.numberTexts[k]) != decimals(numberTexts[k]) { return false }
      case .orderOfMagnitude:
        let power = { (x: Double) in Foundation.floor(Foundation.log10(abs(x))) }
        if power(output.numbers[k]) != power(numbers[k]) { return false }
      case .band(let range, _):
        if !range.contains(output.numbers[k]) { return false }
      }
    }
    return true
  }
}

/// Ends this test case as skipped, saying why: a warning (which the console
/// shows, where a cancelled case is listed as passed) and a cancellation.
private func skip(_ comment: Comment, sourceLocation: SourceLocation = #_sourceLocation) throws -> Never {
  Issue.record(comment, severity: .warning, sourceLocation: sourceLocation)
  try Test.cancel(comment, sourceLocation: sourceLocation)
}

@Suite("The documentation: every `$ swift run` transcript is what the program prints")
struct DocumentationTranscriptTests {
  @Test("The student's guide and the DocC articles have the transcripts this test reads")
  func documentsHaveTranscripts() {
    let transcripts = DocumentedTranscript.all()
    let places = Set(transcripts.map(\.document)).sorted()
    #expect(transcripts.count >= 3, "found \(transcripts.count) transcripts, in \(places)")
    #expect(places.contains("exercises/student/README.md"), "no transcript in the student's guide: \(places)")
    #expect(
      places.contains { $0.hasPrefix(DocumentedTranscript.catalog + "/") },
      "no transcript in the DocC articles: \(places)")
    #expect(transcripts.contains { $0.kernel != nil }, "no transcript names the kernel of its training numbers")
  }

  @Test("The documentation's commands name only files a student's clone has")
  func transcriptsUseTheClonesPaths() {
    // A path outside the clone (../shared/…, /abs/…, ~/…) is one a student
    // does not have; course files are named where the student copies them,
    // exercises/data/NAME.
    for transcript in DocumentedTranscript.all() {
      for word in transcript.command.split(separator: " ") {
        #expect(
          !word.hasPrefix("../") && !word.hasPrefix("/") && !word.hasPrefix("~"),
          "\(transcript.place): \(word) is not a path inside the student's clone")
      }
    }
  }

  @Test(
    "The documentation's transcript, run with the built program",
    arguments: DocumentedTranscript.all())
  func transcript(_ transcript: DocumentedTranscript) throws {
    var words = transcript.command.split(separator: " ").map(String.init)
    // `swift run -c release PROGRAM`: a debug and a release build print the
    // same lines (CI checks it), so the debug build the tests have stands in.
    if words.count > 4 && words[2] == "run" && words[3] == "-c" { words.removeSubrange(3...4) }
    try #require(words.count >= 4, "\(transcript.command)")
    let program = words[3]
    words = Array(words.dropFirst(4))
    // Every transcript is a run in a student's clone (StudentClone): its
    // exercises/data holds the course files the command names there
    // (`exercises/data/NAME`), and for ex4-linear the ex5data1.mat it reads
    // without being told; ex4 without them runs on the built-in digits, as in
    // a fresh clone. Every other file named must be in the repository.
    var needed: [String] = []
    for word in words where word.hasPrefix("exercises/data/") {
      needed.append((word as NSString).lastPathComponent)
    }
    if program == "ex4-linear" && !words.contains("--data") { needed.append("ex5data1.mat") }
    for name in needed where !CourseFile.has(name) {
      try skip(CourseFile.missing(name))
    }
    let clone = try StudentClone(courseFiles: needed)
    // Files of the repository named by a relative path (the pictures `ex4
    // classify` reads) are copied to the same place in the clone.
    let root = DocumentedTranscript.root
    for word in words where !word.hasPrefix("-") && !word.hasPrefix("exercises/data/") {
      let source = root.appendingPathComponent(word).path
      var isDirectory: ObjCBool = false
      guard FileManager.default.fileExists(atPath: source, isDirectory: &isDirectory), !isDirectory.boolValue else {
        continue
      }
      let target = clone.file(word)
      try FileManager.default.createDirectory(
        atPath: (target as NSString).deletingLastPathComponent, withIntermediateDirectories: true)
      try FileManager.default.copyItem(atPath: source, toPath: target)
    }
    // `ex4` alone, or `ex4 course`, is the course's script; its other subcommands are not.
    let isCourseScript = program == "ex4" && !["classify", "sweep", "submit"].contains(words.first ?? "")
    var arguments = words
    if isCourseScript && !arguments.contains("--no-pause") {
      arguments.append("--no-pause")
    }

    let run = try ProgramRun.run(program, arguments, environment: clone.environment, in: clone.path)
    #expect(run.status == 0, "\(transcript.command): exit status \(run.status), stderr: \(run.standardError)")
    let shown = clone.shown(run.standardOutput)
    let output = shown.components(separatedBy: "\n").map(TranscriptLine.init)
    let banded = transcript.kernel.map { $0 != BLASKernel.current } ?? false
    var next = 0
    for text in transcript.expected where text != "…" && text != "..." {
      let line = TranscriptLine(text)
      let checks = line.checks(program: program, banded: banded)
      guard let found = output[next...].firstIndex(where: { line.matches($0, checks: checks) }) else {
        let bands = checks.compactMap { check -> String? in
          if case .band(let range, let why) = check { return "\(range) (\(why))" }
          return nil
        }
        Issue.record(
          """
          \(transcript.place): "\(text)" is not in the output after line \(next + 1) \
          (OpenBLAS kernel \(BLASKernel.current), the document's \(transcript.kernel ?? "none")\
          \(bands.isEmpty ? "" : ", bands " + bands.joined(separator: ", "))).
          Output:
          \(shown)
          """)
        return
      }
      next = found + 1
    }
  }
}
