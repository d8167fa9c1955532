import Foundation
import Testing

@testable import OctaveCore
import MatFiles
import TestSupport

/// `OctaveRandom` against Octave 7.3's `rand('twister', s)` (the vectors of
/// `octave-rand.md`, and Octave itself when installed) and against CPython's
/// `random.Random(s).random()`, which uses the same seeding and doubles.
@Suite struct OctaveRandomTests {
  @Test func seed42FillsRandTwoByThreeColumnMajor() {
    var generator = OctaveRandom(seed: 42)
    let A = generator.rand(2, 3)
    #expect(A.rows == 2 && A.columns == 3)
    #expect(
      A.values == [
        0.63942679845788375, 0.025010755222666936, 0.27502931836911926,
        0.22321073814882275, 0.7364712141640124, 0.67669948742291131,
      ])
    #expect(A[1, 2] == 0.27502931836911926)
    #expect(A[2, 1] == 0.025010755222666936)
  }

  @Test func seed7RowOfThree() {
    var generator = OctaveRandom(seed: 7)
    let r = generator.rand(1, 3)
    #expect(r.rows == 1 && r.columns == 3)
    #expect(r.values == [0.32383276483316237, 0.15084917392450192, 0.65093447303985374])
  }

  @Test(arguments: [
    (UInt32(0), 0.84442185152504812),
    (UInt32(1), 0.13436424411240122),
    (UInt32.max, 0.63535744413411732),
  ])
  func firstDraw(seed: UInt32, expected: Double) {
    var generator = OctaveRandom(seed: seed)
    #expect(generator.rand() == expected)
  }

  @Test func scalarAndMatrixDrawsShareOneStream() {
    var whole = OctaveRandom(seed: 42)
    let six = whole.rand(6, 1).values
    var pieces = OctaveRandom(seed: 42)
    let first = pieces.rand()
    let next = pieces.rand(1, 2).values
    let last = pieces.rand(3, 1).values
    #expect([first] + next + last == six)
    #expect(first == 0.63942679845788375)
  }

  @Test func emptyMatrixTakesNoDraws() {
    var generator = OctaveRandom(seed: 42)
    let empty = generator.rand(0, 3)
    #expect(empty.rows == 0 && empty.columns == 3 && empty.isEmpty)
    #expect(generator.rand() == 0.63942679845788375)
  }

  @Test func timeSeededReturnsTheSeedItUsed() {
    var (generator, seed) = OctaveRandom.timeSeeded()
    var again = OctaveRandom(seed: seed)
    let a = generator.rand(3, 4)
    let b = again.rand(3, 4)
    #expect(a == b)
    #expect(a.values.allSatisfy { $0 > 0 && $0 < 1 })
  }

  @Test(.enabled(if: ExternalProgram.find("python3") != nil, "skipped: python3 is not on PATH"))
  func matchesCPythonRandomForSeveralSeeds() throws {
    let seeds: [UInt32] = [0, 1, 42, 5489, 2_147_483_648, UInt32.max]
    let draws = 1000
    let script = """
      import random
      for s in [\(seeds.map(String.init).joined(separator: ", "))]:
          r = random.Random(s)
          print(" ".join(repr(r.random()) for _ in range(\(draws))))
      """
    let output = try #require(ExternalProgram.run("python3", ["-c", script]))
    let lines = output.split(separator: "\n")
    try #require(lines.count == seeds.count, "python3 printed \(lines.count) lines: \(output.prefix(300))")
    for (seed, line) in zip(seeds, lines) {
      let python = line.split(separator: " ").compactMap { Double(String($0)) }
      var generator = OctaveRandom(seed: seed)
      let ours = (0..<draws).map { _ in generator.rand() }
      #expect(python.count == draws)
      let difference = firstBitDifference(ours, python)
      #expect(difference == nil, "seed \(seed): draw \(difference ?? 0) differs from CPython's")
    }
  }

  @Test(.enabled(if: ExternalProgram.find("octave") != nil, "skipped: octave is not on PATH"))
  func matchesOctaveItself() throws {
    let seed: UInt32 = 3_141_592_653
    let code =
      "rand('twister', \(seed)); A = rand(7, 5); b = rand(1, 1000); printf('%.17g\\n', A(:), b);"
    let output = try #require(ExternalProgram.run("octave", ["--no-gui", "--no-window-system", "-q", "--eval", code]))
    let octave = output.split(separator: "\n").compactMap { Double(String($0)) }
    try #require(octave.count == 35 + 1000, "octave printed \(octave.count) numbers: \(output.prefix(300))")
    var generator = OctaveRandom(seed: seed)
    let A = generator.rand(7, 5)
    let b = generator.rand(1, 1000)
    let difference = firstBitDifference(A.values + b.values, octave)
    #expect(difference == nil, "element \(difference ?? 0) of [A(:); b(:)] differs from Octave's")
  }
}

/// Finding and running a program on `PATH`, for the tests that compare with
/// Python and Octave when they are installed.
enum ExternalProgram {
  static func find(_ name: String) -> String? {
    let path = ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin:/bin"
    for directory in path.split(separator: ":") {
      let candidate = "\(directory)/\(name)"
      if FileManager.default.isExecutableFile(atPath: candidate) { return candidate }
    }
    return nil
  }

  /// The program's standard output, or nil when it cannot be found or fails.
  static func run(_ name: String, _ arguments: [String]) -> String? {
    guard let executable = find(name) else { return nil }
    let process = Process()
    process.executableURL = URL(fileURLWithPath: executable)
    process.arguments = arguments
    let output = Pipe()
    process.standardOutput = output
    process.standardError = FileHandle.nullDevice
    do { try process.run() } catch { return nil }
    let data = output.fileHandleForReading.readDataToEndOfFile()
    process.waitUntilExit()
    guard process.terminationStatus == 0 else { return nil }
    return String(decoding: data, as: UTF8.self)
  }
}
