import ArgumentParser
import CBLAS
import Foundation
import NeuralNetworkLearning
import ExerciseSupport
import NeuralNetworkEngine

/// `swift run -c release ex4-bench`: how fast the exercise's cost function and
/// training are on this machine, beside Octave and NumPy.
@main
struct Ex4Bench: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "ex4-bench",
    abstract: "Times nnCostFunction and fmincg on the course's shape and a large one, beside Octave and NumPy.",
    discussion: """
      Build it in release mode (swift run -c release ex4-bench). The course shape uses ex4data1.mat or \
      ex4data1-8bit.mat from $\(DataDirectory.environmentVariable) (default \(DataDirectory.defaultPath)) when \
      there, generated digits otherwise; the large shape is generated. Times are wall-clock: on a busy machine \
      repeat the run and look at the minimums.
      """)

  /// Restarts with the best OpenBLAS kernel for the processor when OpenBLAS
  /// picked an older one by itself, then runs.
  static func main() {
    BLASKernel.useBestForProcessor()
    main(nil)
  }

  @Option(
    help: ArgumentHelp("The digits file for the course shape (default: from the data directory).", valueName: "file"))
  var data: String?

  @Option(help: ArgumentHelp("Timed evaluations of the cost function at the course shape.", valueName: "n"))
  var repeats: Int = 50

  @Option(help: ArgumentHelp("Timed evaluations at the large shape.", valueName: "n"))
  var largeRepeats: Int = 5

  @Option(help: ArgumentHelp("Examples in the large shape (784 inputs, 100 hidden units, 10 labels).", valueName: "m"))
  var largeRows: Int = 60_000

  @Option(help: ArgumentHelp("Line searches of fmincg at the course shape.", valueName: "n"))
  var fmincgIterations: Int = 50

  @Option(help: ArgumentHelp("Line searches of fmincg at the large shapes (0 skips it).", valueName: "n"))
  var largeFmincgIterations: Int = 10

  @Option(help: ArgumentHelp("Evaluations Octave and NumPy time.", valueName: "n"))
  var foreignRepeats: Int = 20

  @Option(help: ArgumentHelp("The regularisation parameter λ.", valueName: "λ"))
  var lambda: Double = 1

  @Flag(help: "Skip the large shapes.")
  var skipLarge = false

  @Flag(help: "Skip the Octave and NumPy comparisons.")
  var skipComparisons = false

  @Flag(help: "Also time BLAS's dense products against the sparse loops on course-shaped data of several densities.")
  var densitySweep = false

  mutating func validate() throws {
    guard repeats >= 1, largeRepeats >= 1, foreignRepeats >= 1 else {
      throw ValidationError("--repeats, --large-repeats and --foreign-repeats must be at least 1")
    }
    guard largeRows >= 100 else { throw ValidationError("--large-rows must be at least 100, got \(largeRows)") }
    guard fmincgIterations >= 0, largeFmincgIterations >= 0 else {
      throw ValidationError("--fmincg-iterations and --large-fmincg-iterations must not be negative")
    }
  }

  func run() throws {
    let started = now()
    printMachine()
    let peak = measureDGEMMPeak(order: 1600, repeats: 4)
    print(String(format: "DGEMM peak (best of 4 square dgemm, order 1600): %.1f GFLOP/s", peak))
    print("(each part measures it again just before, order 1200, best of 3, for its fraction of the peak)\n")

    // The course shape.
    resetPeakResident()
    let course = try courseWorkload(dataFile: data)
    let courseTimes = measure(course, repeats: repeats, fmincgIterations: fmincgIterations)
    if !skipComparisons { compare(course, ours: courseTimes) }

    if densitySweep { sweepDensities() }

    if !skipLarge {
      for sparse in [true, false] {
        resetPeakResident()
        let large = largeWorkload(rows: largeRows, sparse: sparse)
        _ = measure(large, repeats: largeRepeats, fmincgIterations: largeFmincgIterations)
        linearity(large)
      }
    }
    print(String(format: "\nTotal run time %.1f s.", now() - started))
  }

  // MARK: - Parts

  func printMachine() {
    let cpu =
      (try? String(contentsOfFile: "/proc/cpuinfo", encoding: .utf8))?.split(separator: "\n")
      .first { $0.hasPrefix("model name") }?.split(separator: ":").last?.trimmingCharacters(in: .whitespaces)
      ?? "unknown"
    print("ex4-bench: \(ProcessInfo.processInfo.activeProcessorCount) cores, \(cpu)")
    print("OpenBLAS: \(String(cString: openblas_get_config())), \(openblas_get_num_threads()) threads")
    let load = (try? String(contentsOfFile: "/proc/loadavg", encoding: .utf8))?.split(separator: " ").prefix(3)
      .joined(separator: " ")
    print("Load average before the run: \(load ?? "unknown") (other work on the machine slows every number below)")
  }

  /// Times one workload's cost function and training; returns the evaluation times.
  func measure(_ w: Workload, repeats: Int, fmincgIterations: Int) -> Summary {
    print("== \(w.name): X \(w.m)×\(w.n), \(w.hiddenLayerSize) hidden units, \(w.numLabels) labels")
    print("   data: \(w.source); \(String(format: "%.1f", 100 * w.density))% of X non-zero")
    let p = w.initialParameters(seed: 1)
    let firstStart = now()
    let costFunction = w.costFunction(lambda: lambda)
    _ = costFunction(p)
    let first = now() - firstStart
    let peak = measureDGEMMPeak(order: 1200, repeats: 3)
    let before = residentBytes()
    resetPeakResident()
    let processorStart = processorTime()
    let t = Summary(times(repeats, warmUp: false) { _ = costFunction(p) })
    let processorPerEvaluation = (processorTime() - processorStart) / Double(repeats)
    let growth = (peakResidentBytes() ?? 0) - (before ?? 0)
    let gflops = w.flops / t.median / 1e9
    let best = w.flops / t.minimum / 1e9
    print(
      "   cost+gradient: \(t.milliseconds) over \(repeats) evaluations (first call, which prepares X: "
        + String(format: "%.1f ms)", first * 1e3))
    print(
      String(
        format: "   %.1f GFLOP/s at the median, %.1f at the minimum (%.0f MFLOP each, counted as dense products)",
        gflops, best, w.flops / 1e6))
    print(
      String(
        format:
          "   %.0f%% of the DGEMM peak at the median, %.0f%% at the minimum (peak measured just before: %.1f GFLOP/s)",
        100 * gflops / peak, 100 * best / peak, peak))
    print(String(format: "   processor time %.2f ms per evaluation (all cores together)", processorPerEvaluation * 1e3))
    print("   peak resident growth during evaluations 2…\(repeats + 1): \(megabytes(max(growth, 0)))")
    if fmincgIterations > 0 {
      var evaluations = 0
      let start = now()
      let (_, fX, _) = fmincg(
        {
          evaluations += 1
          return costFunction($0)
        }, p, maxIter: fmincgIterations, progress: .silent)
      let elapsed = now() - start
      print(
        String(
          format: "   fmincg, %d iterations: %.3f s (%d evaluations, %.2f ms each; final cost %.6f)",
          fmincgIterations, elapsed, evaluations, elapsed / Double(evaluations) * 1e3, fX.last ?? .nan))
      if fmincgIterations != 50 {
        print(String(format: "   (50 iterations at this rate: about %.1f s)", elapsed / Double(fmincgIterations) * 50))
      }
    }
    print("   peak resident memory of this part: \(megabytes(peakResidentBytes()))\n")
    return t
  }

  /// Octave and NumPy on the same data, side by side.
  func compare(_ w: Workload, ours: Summary) {
    let directory = FileManager.default.temporaryDirectory.appendingPathComponent("ex4-bench-\(getpid())").path
    defer { try? FileManager.default.removeItem(atPath: directory) }
    let p = w.initialParameters(seed: 1)
    do {
      try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
      try writeRaw(w, parameters: p, to: directory)
    } catch {
      print("   (could not write the data for Octave and NumPy: \(error))\n")
      return
    }
    let J = w.costFunction(lambda: lambda)(p).J
    print("== the course shape beside other implementations (same data, same weights, λ = \(lambda))")
    print("   ours:  \(ours.milliseconds)")
    let others = [
      ("Octave", octaveTiming(w, directory: directory, repeats: foreignRepeats, lambda: lambda)),
      ("NumPy", numpyTiming(w, directory: directory, repeats: foreignRepeats, lambda: lambda)),
    ]
    for (name, (timing, problem)) in others {
      guard let timing else {
        print("   \(name): not measured (\(problem ?? "unknown reason"))")
        continue
      }
      let agreement = abs(timing.J - J) / abs(J)
      print(
        "   \(name.padding(toLength: 6, withPad: " ", startingAt: 0)) \(timing.times.milliseconds); ours/theirs "
          + String(
            format: "%.3f at the median (%.1f× faster), %.3f at the minimum; J agrees to %.1e",
            ours.median / timing.times.median,
            timing.times.median / ours.median, ours.minimum / timing.times.minimum, agreement))
    }
    print("")
  }

  /// Time per example at several m: it should not change with m.
  func linearity(_ w: Workload) {
    let peak = measureDGEMMPeak(order: 1200, repeats: 3)
    print("   time per 1000 examples against m (\(w.name)):")
    for rows in [w.m / 4, w.m / 2, w.m] {
      let part = rows == w.m ? w : w.firstRows(rows)
      let p = part.initialParameters(seed: 1)
      let costFunction = part.costFunction(lambda: lambda)
      let t = Summary(times(max(3, largeRepeats)) { _ = costFunction(p) })
      print(
        String(
          format: "     m = %6d: %8.2f ms per evaluation, %.3f ms per 1000 examples (%.0f%% of peak)", rows,
          t.median * 1e3, t.median * 1e3 / Double(rows) * 1000, 100 * part.flops / t.median / 1e9 / peak))
    }
    print("")
  }

  /// BLAS's dense products against the sparse loops at several densities,
  /// for a narrow and a wide first hidden layer.
  func sweepDensities() {
    for (m, n, hidden) in [(5000, 400, 25), (8000, 784, 100)] {
      print("== density sweep, random \(m)×\(n) data, \(hidden) hidden units (ms per evaluation, median and minimum)")
      print("   density   BLAS products (min)    sparse loops (min)")
      for density in [0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.8] {
        let w = randomWorkload(rows: m, columns: n, hiddenLayerSize: hidden, density: density)
        let p = w.initialParameters(seed: 1)
        var results: [Summary] = []
        for firstLayer in [FirstLayerProducts.dense, .sparseUpToDensity(1)] {
          let costFunction = w.costFunction(lambda: lambda, firstLayer: firstLayer)
          results.append(Summary(times(10) { _ = costFunction(p) }))
        }
        print(
          String(
            format: "   %7.2f   %8.2f (%6.2f) ms   %8.2f (%6.2f) ms", density, results[0].median * 1e3,
            results[0].minimum * 1e3, results[1].median * 1e3, results[1].minimum * 1e3))
      }
      print("")
    }
  }
}
