import Foundation
import Testing

import NeuralNetworkLearning
import TestSupport

/// The programs' choice of OpenBLAS kernel, end to end: a program whose
/// OpenBLAS loaded the generic `Prescott` kernel by itself restarts with the
/// best kernel this processor runs; one whose user set `OPENBLAS_CORETYPE`
/// keeps it. "OpenBLAS picked Prescott by itself" is simulated: the program
/// really loads Prescott (`OPENBLAS_CORETYPE=Prescott`) and the test-only
/// variable makes it take that as OpenBLAS's own pick.
@Suite(.serialized)
struct BLASKernelProgramTests {
  /// The kernel `--verbose` says is in force (read by the program from
  /// OpenBLAS after any restart), and the rest of its BLAS line.
  static func kernelLine(_ run: ProgramRun) throws -> (kernel: String, line: String) {
    let line = try #require(
      run.standardOutput.split(separator: "\n").first { $0.hasPrefix("BLAS: OpenBLAS") }, "\(run.standardOutput)")
    let kernel = try #require(line.split(separator: "; kernel ").last?.split(separator: " ").first)
    return (String(kernel), String(line))
  }

  static func ex4(_ environment: [String: String?], in directory: TemporaryDirectory) throws -> ProgramRun {
    let run = try ProgramRun.run(
      "ex4", ["--verbose", "--no-pause", "--seed", "1", "--max-iter", "2", "--output-dir", directory.file("out")],
      environment: environment)
    #expect(run.status == 0, "\(run.standardError)")
    return run
  }

  /// What ex4 prints apart from its BLAS line and the time training took.
  static func results(_ run: ProgramRun) -> [Substring] {
    run.standardOutput.split(separator: "\n").filter { !$0.hasPrefix("BLAS: ") && !$0.hasPrefix("Training took") }
  }

  @Test("ex4 on a generic kernel OpenBLAS picked by itself restarts with the best kernel for this processor")
  func genericPickIsReplaced() throws {
    let directory = try TemporaryDirectory()
    let simulated = try Self.ex4(
      [BLASKernel.environmentVariable: "Prescott", BLASKernel.simulatedPickVariable: "1"], in: directory)
    let (kernel, line) = try Self.kernelLine(simulated)
    guard let best = bestKernelByCPUInfo() else {
      // Nothing better than the generic kernel here: it stays.
      #expect(kernel == "Prescott", "\(line)")
      #expect(line.contains("OpenBLAS's own pick"), "\(line)")
      return
    }
    #expect(kernel == best, "\(line)")
    #expect(line.contains("chosen by this program: OpenBLAS picked Prescott"), "\(line)")
    // The restarted program computes as a program started on that kernel by the user.
    let direct = try Self.ex4([BLASKernel.environmentVariable: best], in: directory)
    #expect(try Self.kernelLine(direct).line.contains("\(BLASKernel.environmentVariable)=\(best) set by the user"))
    #expect(Self.results(simulated) == Self.results(direct))
  }

  @Test("a kernel the user sets is kept, even the generic one")
  func userKernelIsKept() throws {
    let directory = try TemporaryDirectory()
    let run = try Self.ex4([BLASKernel.environmentVariable: "Prescott"], in: directory)
    let (kernel, line) = try Self.kernelLine(run)
    #expect(kernel == "Prescott", "\(line)")
    #expect(line.contains("\(BLASKernel.environmentVariable)=Prescott set by the user"), "\(line)")
  }

  @Test("left to OpenBLAS, ex4 runs the kernel OpenBLAS picks unless a better one is known for this processor")
  func ownPick() throws {
    let directory = try TemporaryDirectory()
    let run = try Self.ex4([BLASKernel.environmentVariable: nil], in: directory)
    let (kernel, line) = try Self.kernelLine(run)
    // This test process's kernel is OpenBLAS's own pick unless the test runs under OPENBLAS_CORETYPE.
    let ownPick =
      ProcessInfo.processInfo.environment[BLASKernel.environmentVariable] == nil ? BLASKernel.current : nil
    if let ownPick, let better = BLASKernel.replacement(forPick: ownPick, processor: .this, requested: nil) {
      #expect(kernel == better && line.contains("chosen by this program"), "\(line)")
    } else if let ownPick {
      #expect(kernel == ownPick && line.contains("OpenBLAS's own pick"), "\(line)")
    } else {
      #expect(line.contains("OpenBLAS's own pick") || line.contains("chosen by this program"), "\(line)")
    }
  }

  @Test("ex4 sweep and ex4 classify print the BLAS line first with --verbose, and no BLAS line without it")
  func sweepAndClassifyAreVerbose() throws {
    let directory = try TemporaryDirectory()
    let sweep = ["sweep", "--hidden-sizes", "3", "--lambdas", "1", "--iterations", "1", "--seeds", "1"]
    // Any weights of the course's shapes and a picture with a stroke in it (dark on white).
    var random = OctaveRandom(seed: 5)
    let weights = directory.file("weights.mat")
    try MatFile.write(["Theta1": random.rand(25, 401) - 0.5, "Theta2": random.rand(10, 26) - 0.5], to: weights)
    let picture = directory.file("stroke.pgm")
    let pixels = (0..<400).map { ($0 % 20 == 9 || $0 % 20 == 10) && (3..<17).contains($0 / 20) ? "0" : "255" }
    try Data(("P2 20 20 255\n" + pixels.joined(separator: " ") + "\n").utf8).write(to: URL(fileURLWithPath: picture))
    let classify = ["classify", picture, "--weights", weights]
    let runs: [(name: String, arguments: (Bool) -> [String])] = [
      ("sweep", { sweep + ["--output-dir", directory.file($0 ? "verbose" : "quiet")] }),
      ("classify", { _ in classify }),
    ]
    for (name, arguments) in runs {
      for verbose in [true, false] {
        let run = try ProgramRun.run("ex4", arguments(verbose) + (verbose ? ["--verbose"] : []))
        #expect(run.status == 0, "\(name): \(run.standardError)")
        if verbose {
          #expect(run.standardOutput.hasPrefix("BLAS: OpenBLAS"), "\(name) --verbose: \(run.standardOutput)")
        } else {
          #expect(!run.standardOutput.contains("BLAS: "), "\(name): \(run.standardOutput)")
        }
      }
    }
  }
}
