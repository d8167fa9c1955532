import ArgumentParser
import CBLAS
import Foundation
import NeuralNetworkLearning
import ExerciseData
import TrainingRecord
import NeuralNetworkEngine
import _NeuralNetworkKernels

/// `swift run -c release ex4-bench`: how fast the exercise's cost function and
/// training are on this machine, beside Octave and NumPy.
@main
struct Ex4Bench: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "ex4-bench",
    abstract:
      "Times nnCostFunction and fmincg at the course's shape and two large ones, beside NumPy, PyTorch, JAX and Octave.",
    discussion: """
      Build it in release mode (swift run -c release ex4-bench). The course shape uses ex4data1.mat or \
      ex4data1-8bit.mat from $\(DataDirectory.environmentVariable) (default \(DataDirectory.defaultPath)) when \
      there, generated digits otherwise; the large shapes (60000×784, MNIST-like and dense) are generated. The \
      other implementations run in processes of their own, started once, and are timed in interleaved rounds \
      (every implementation in turn, the order rotated each round, each turn after every process is idle \
      and one untimed evaluation); the ratios printed are medians of the rounds' ratios. The Python ones \
      time their settings (X's memory order, threads, torch.compile) as they start and keep the fastest; \
      each must agree with this package on J and the gradient. Times are wall-clock: on a busy machine \
      repeat the run.
      """)

  /// Restarts with the best OpenBLAS kernel for the processor when OpenBLAS
  /// picked an older one by itself, then runs.
  static func main() {
    BLASKernel.useBestForProcessor()
    // The other implementations and the debug build's ex4 run in the
    // environment the user gave: NumPy's own, newer OpenBLAS picks its own
    // kernel, and ex4 makes its own choice.
    if case .program = BLASKernel.origin {
      unsetenv(BLASKernel.environmentVariable)
      unsetenv(BLASKernel.replacedPickVariable)
    }
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

  @Option(
    help: ArgumentHelp(
      "Interleaved rounds of the comparison with the other implementations (each times every implementation in turn).",
      valueName: "n"))
  var rounds: Int = 7

  @Option(help: ArgumentHelp("Evaluations each implementation times per round at the course shape.", valueName: "n"))
  var foreignRepeats: Int = 20

  @Option(help: ArgumentHelp("Evaluations each implementation times per round at the large shapes.", valueName: "n"))
  var largeForeignRepeats: Int = 2

  @Option(help: ArgumentHelp("The regularisation parameter λ.", valueName: "λ"))
  var lambda: Double = 1

  @Flag(help: "Skip the large shapes.")
  var skipLarge = false

  @Flag(help: "Skip the comparisons with Octave, NumPy, PyTorch and JAX.")
  var skipComparisons = false

  @Flag(help: "Skip Octave in the comparisons (it is the slowest at the large shapes).")
  var skipOctave = false

  @Flag(help: "Do not time the debug build's training (.build/debug/ex4 --no-pause --seed 1).")
  var skipDebugTraining = false

  @Flag(help: "Also time BLAS's dense products against the sparse loops on course-shaped data of several densities.")
  var densitySweep = false

  @Flag(help: "Also time fmincg against lbfgs to a training accuracy of 95.5% at the course shape.")
  var optimizers = false

  mutating func validate() throws {
    guard repeats >= 1, largeRepeats >= 1, foreignRepeats >= 1, largeForeignRepeats >= 1, rounds >= 1 else {
      throw ValidationError(
        "--repeats, --large-repeats, --rounds, --foreign-repeats and --large-foreign-repeats must be at least 1")
    }
    guard largeRows >= 100 else { throw ValidationError("--large-rows must be at least 100, got \(largeRows)") }
    guard fmincgIterations >= 0, largeFmincgIterations >= 0 else {
      throw ValidationError("--fmincg-iterations and --large-fmincg-iterations must not be negative")
    }
  }

  func run() throws {
    // Line by line, so that a long run written to a file can be followed.
    StandardOutput.bufferLines()
    let started = now()
    printMachine()
    let peak = measurePeak()

    // The course shape.
    resetPeakResident()
    let course = try courseWorkload(dataFile: data)
    let (courseTimes, coursePeak) = measure(course, repeats: repeats, fmincgIterations: fmincgIterations, peak: peak)
    sparseFloor(course, ours: courseTimes, peak: coursePeak)
    sparseLoopsAlone(course, peak: coursePeak)
    layerLoopsAlone(course)
    passOverhead()
    if !skipComparisons { compare(course, evaluations: foreignRepeats) }

    if densitySweep { sweepDensities() }
    if optimizers { compareOptimizers(course, target: 95.5, rounds: 7, maxIter: 100) }

    if !skipLarge {
      for sparse in [true, false] {
        resetPeakResident()
        let large = largeWorkload(rows: largeRows, sparse: sparse)
        measure(large, repeats: largeRepeats, fmincgIterations: largeFmincgIterations, peak: peak)
        linearity(large, peak: peak)
        if !skipComparisons { compare(large, evaluations: largeForeignRepeats) }
      }
    }
    if !skipDebugTraining { debugTraining() }
    print(String(format: "\nTotal run time %.1f s.", now() - started))
  }

  // MARK: - Parts

  func printMachine() {
    let cpu =
      (try? String(contentsOfFile: "/proc/cpuinfo", encoding: .utf8))?.split(separator: "\n")
      .first { $0.hasPrefix("model name") }?.split(separator: ":").last?.trimmingCharacters(in: .whitespaces)
      ?? "unknown"
    print("ex4-bench: \(ProcessInfo.processInfo.activeProcessorCount) cores, \(cpu)")
    print("\(BLASKernel.summary); \(openblas_get_num_threads()) threads")
    let load = (try? String(contentsOfFile: "/proc/loadavg", encoding: .utf8))?.split(separator: " ").prefix(3)
      .joined(separator: " ")
    print("Load average before the run: \(load ?? "unknown") (other work on the machine slows every number below)")
  }

  /// Times one workload's cost function and training; returns the evaluation
  /// times and the peak their fraction was taken of (the larger of
  /// `machinePeak` and our dgemm just before).
  @discardableResult
  func measure(_ w: Workload, repeats: Int, fmincgIterations: Int, peak machinePeak: Double) -> (
    times: Summary, peak: Double
  ) {
    print("== \(w.name): X \(w.m)×\(w.n), \(w.hiddenLayerSize) hidden units, \(w.numLabels) labels")
    print("   data: \(w.source); \(String(format: "%.1f", 100 * w.density))% of X non-zero")
    let p = w.initialParameters(seed: 1)
    let firstStart = now()
    let costFunction = w.costFunction(lambda: lambda)
    _ = costFunction(p)
    let first = now() - firstStart
    let justBefore = measureDGEMMPeak(order: 1200, repeats: 3)
    let peak = max(machinePeak, justBefore)
    // That dgemm's OpenBLAS threads spin on for up to a few hundred
    // milliseconds, and would share the cores with the evaluations timed
    // next; then one evaluation untimed, as in the rounds (Comparisons.swift).
    let waited = waitUntilIdle([getpid()])
    let before = residentBytes()
    resetPeakResident()
    let processorStart = processorTime()
    let t = Summary(times(repeats, warmUp: true) { _ = costFunction(p) })
    let processorPerEvaluation = (processorTime() - processorStart) / Double(repeats + 1)
    let growth = (peakResidentBytes() ?? 0) - (before ?? 0)
    let gflops = w.flops / t.median / 1e9
    let best = w.flops / t.minimum / 1e9
    print(
      "   cost+gradient: \(t.milliseconds) over \(repeats) evaluations (first call, which prepares X: "
        + String(
          format: "%.1f ms; timed after this process was idle, %.0f ms on, and one evaluation)", first * 1e3,
          waited * 1e3))
    print(
      String(
        format: "   %.1f GFLOP/s at the median, %.1f at the minimum (%.0f MFLOP each, counted as dense products)",
        gflops, best, w.flops / 1e6))
    print(
      String(
        format:
          "   %.0f%% of the dgemm peak at the median, %.0f%% at the minimum (peak %.1f GFLOP/s; our dgemm just before: %.1f)",
        100 * gflops / peak, 100 * best / peak, peak, justBefore))
    print(String(format: "   processor time %.2f ms per evaluation (all cores together)", processorPerEvaluation * 1e3))
    print("   peak resident growth during evaluations 2…\(repeats + 2): \(megabytes(max(growth, 0)))")
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
    return (t, peak)
  }

  /// The best dgemm on this machine: ours (OpenBLAS with the kernel chosen
  /// above) and NumPy's (its wheel's own OpenBLAS); the larger is "the peak".
  func measurePeak() -> Double {
    let order = 1600
    let ours = measureDGEMMPeak(order: order, repeats: 4)
    print(String(format: "dgemm peak, best of 4 square products of order %d:", order))
    print(String(format: "   ours (%@ kernel): %.1f GFLOP/s", BLASKernel.current, ours))
    let directory = FileManager.default.temporaryDirectory.appendingPathComponent("ex4-bench-peak-\(getpid())").path
    defer { try? FileManager.default.removeItem(atPath: directory) }
    try? FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
    var peak = ours
    if let numpy = numpyPeak(order: order, directory: directory) {
      print(String(format: "   %@: %.1f GFLOP/s", numpy.what, numpy.gflops))
      peak = max(peak, numpy.gflops)
    }
    print(String(format: "   the peak below (the larger): %.1f GFLOP/s\n", peak))
    return peak
  }

  /// The least time an evaluation can take that touches only X's non-zeros
  /// (``Workload/sparseFlops``) at the peak, and ours against it.
  func sparseFloor(_ w: Workload, ours: Summary, peak: Double) {
    let floor = w.sparseFlops / (peak * 1e9)
    print(
      String(
        format:
          "   sparse floor: %.1f MFLOP touching only X's %.0f non-zeros (2·2·nnz·%d for the two products with X, the rest dense), at the peak %.1f GFLOP/s: %.3f ms",
        w.sparseFlops / 1e6, w.density * Double(w.m * w.n), w.hiddenLayerSize, peak, floor * 1e3))
    print(
      String(
        format: "   ours is %.1f× the floor at the median, %.1f× at the minimum\n", ours.median / floor,
        ours.minimum / floor))
  }

  /// The two products with X by the sparse loops alone, on this thread, on
  /// each vector path the processor runs (the engine takes the best, marked):
  /// the rate of the loops themselves beside the floor's (the peak shared by
  /// the cores), and what an evaluation spends besides them.
  func sparseLoopsAlone(_ w: Workload, peak: Double) {
    let units = w.hiddenLayerSize
    let width = (units + 3) / 4 * 4
    guard let sparse = SparseInput(w.X, width: width) else {
      print("   (X is too dense for the sparse loops)\n")
      return
    }
    var random = OctaveRandom(seed: 3)
    let weights = Buffer(count: sparse.columns * width) { $0 % width < units ? 0.24 * random.rand() - 0.12 : 0 }
    let delta = Buffer(count: sparse.rows * width) { $0 % width < units ? 0.2 * random.rand() - 0.1 : 0 }
    let z = Buffer(count: sparse.rows * width)
    let gradient = Buffer(count: sparse.columns * width)
    let flops = 2 * Double(units) * Double(sparse.count)
    let cores = Double(ProcessInfo.processInfo.activeProcessorCount)
    print(
      "   the sparse loops alone on one core (the minimum of 20; \(sparse.count) non-zeros of [1 X], \(units) units):")
    for path in KernelPath.timed {
      let forward = Summary(
        times(20) {
          sparse.forward(examples: 0..<sparse.rows, weights: weights.pointer, width: width, into: z.pointer, path: path)
        })
      let backward = Summary(
        times(20) {
          sparse.backward(
            columns: 0..<sparse.columns, delta: delta.pointer, width: width, into: gradient.pointer, path: path)
        })
      print("     \(path.label):")
      for (name, t) in [("[1 X]·Theta1ᵀ", forward.minimum), ("delta2ᵀ·[1 X]", backward.minimum)] {
        print(
          String(
            format: "       %@: %.3f ms, %.2f ns a non-zero, %.1f GFLOP/s (%.0f%% of the floor's %.1f a core)", name,
            t * 1e3, t * 1e9 / Double(sparse.count), flops / t / 1e9, 100 * flops / t / 1e9 / (peak / cores),
            peak / cores))
      }
      print(
        String(
          format: "       both over %.0f cores, if shared perfectly: %.3f ms of the evaluation's median", cores,
          (forward.minimum + backward.minimum) / cores * 1e3))
    }
    print()
  }

  /// What one of the engine's parallel passes costs beyond its work: a pass
  /// whose every runner waits 0.3 ms, back to back as an evaluation's passes
  /// come, timed from the call to its return. (Reading the number of cores
  /// from Foundation on each pass once cost 45 µs here.)
  func passOverhead() {
    let cores = ProcessInfo.processInfo.activeProcessorCount
    guard cores > 1 else { return }
    let work = 0.000_3
    let overheads = times(200) {
      NetworkWorkspace.inParallel(cores) { _ in
        let start = now()
        while now() - start < work {}
      }
    }.map { $0 - work }
    let t = Summary(overheads)
    print(
      String(
        format:
          "   a parallel pass over the %d cores: %.1f µs beyond its work at the median, %.1f at most (200 passes of 0.3 ms)\n",
        cores, t.median * 1e6, t.maximum * 1e6))
  }

  /// The layer loops alone, on this thread, on each vector path: the hidden
  /// layer's activations [1; g(z + bias)] and the classifier's output layer
  /// (its activations, the cross-entropy's sum and delta = a − y) for every
  /// example, in nanoseconds a value.
  func layerLoopsAlone(_ w: Workload) {
    let (m, units, K) = (w.m, w.hiddenLayerSize, w.numLabels)
    let (stride, outputStride) = ((units + 3) / 4 * 4, (K + 3) / 4 * 4)
    var random = OctaveRandom(seed: 4)
    // Pre-activations where a trained network's lie: hidden units across the
    // logistic function's slope, outputs mostly well below 0.
    let z = Buffer(count: m * stride) { _ in 12 * random.rand() - 6 }
    let outputZ = Buffer(count: m * outputStride) { _ in 10 * random.rand() - 8 }
    let workZ = Buffer(count: m * outputStride)
    let bias = Buffer(count: max(units, K)) { _ in random.rand() - 0.5 }
    let a = Buffer(count: m * (1 + units))
    let h = Buffer(count: m * K)
    let labels = Buffer(count: m) { i in Double(1 + i % K) }
    print(
      "   the layer loops alone on one core (the minimum of 20; \(m) examples, \(units) hidden units, \(K) labels):")
    for path in KernelPath.timed {
      let hidden = Summary(
        times(20) { nnl_hidden_sigmoid(z.pointer, stride, bias.pointer, units, m, a.pointer, path.rawValue) })
      let output = Summary(
        times(20) {
          workZ.pointer.update(from: outputZ.pointer, count: m * outputStride)
          _ = nnl_classifier_output(
            workZ.pointer, outputStride, bias.pointer, K, m, labels.pointer, h.pointer, 1, 0, path.rawValue)
        })
      print(
        String(
          format: "     %@: hidden layer %.3f ms (%.2f ns a unit), output layer with the cost %.3f ms (%.2f ns a unit)",
          path.label, hidden.minimum * 1e3, hidden.minimum * 1e9 / Double(m * units), output.minimum * 1e3,
          output.minimum * 1e9 / Double(m * K)))
    }
    print()
  }

  /// NumPy, PyTorch (hand-written backward and autograd), JAX and Octave on
  /// the same data and weights, in interleaved rounds: each round times
  /// `evaluations` evaluations of every implementation in turn, starting one
  /// further along the list each round; the ratio printed is the median of
  /// the rounds' ratios ours/theirs, with their range. The Python ones time
  /// their settings as they start and keep the fastest, so they are started
  /// one after another, each with the machine to itself.
  func compare(_ w: Workload, evaluations: Int) {
    let directory = FileManager.default.temporaryDirectory.appendingPathComponent("ex4-bench-\(getpid())").path
    defer { try? FileManager.default.removeItem(atPath: directory) }
    let p = w.initialParameters(seed: 1)
    do {
      try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
      try writeRaw(w, parameters: p, to: directory)
      try pythonServerScript.write(toFile: "\(directory)/server.py", atomically: true, encoding: .utf8)
      try octaveServerScript(w, directory: directory, lambda: lambda)
        .write(toFile: "\(directory)/server.m", atomically: true, encoding: .utf8)
    } catch {
      print("   (could not write the data for the other implementations: \(error))\n")
      return
    }
    let costFunction = w.costFunction(lambda: lambda)
    let (J, gradient) = costFunction(p)
    print(
      "== \(w.name) beside other implementations (same data, same weights, λ = \(lambda), float64): "
        + "\(rounds) interleaved rounds of \(evaluations) evaluation\(evaluations == 1 ? "" : "s") each")

    let shape = ["\(w.m)", "\(w.n)", "\(w.hiddenLayerSize)", "\(w.numLabels)", "\(lambda)"]
    // `kind` names the gradient file and, for Python, the implementation.
    var plans: [(name: String, kind: String, program: String, arguments: [String], commandFiles: String?)] = [
      ("NumPy", "numpy"), ("PyTorch", "torch"), ("PyTorch autograd", "torch-autograd"), ("JAX", "jax"),
    ].map { name, kind in (name, kind, "python3", ["\(directory)/server.py", kind, directory] + shape, nil) }
    if !skipOctave {
      plans.append(("Octave", "octave", "octave", ["--no-gui", "--norc", "-q", "\(directory)/server.m"], directory))
    }
    // Each is ready (started, imported, compiled, its settings chosen) before the next starts.
    var servers: [ForeignServer] = []
    for plan in plans {
      var problem: String?
      guard
        let server = ForeignServer(
          name: plan.name, program: plan.program, arguments: plan.arguments, directory: directory,
          gradientFile: "\(directory)/\(plan.kind).gradient.bin", commandFiles: plan.commandFiles, problem: &problem)
      else {
        print("   \(plan.name): not measured (\(problem ?? "unknown reason"))")
        continue
      }
      if let problem = server.ready() {
        print("   \(plan.name): not measured (\(problem))")
        server.stop()
      } else {
        servers.append(server)
      }
    }
    defer { for server in servers { server.stop() } }

    // Index 0 is ours, in this process.
    let count = servers.count + 1
    var seconds = [[Double]](repeating: [], count: count)
    var lastJ = [Double](repeating: .nan, count: count)
    var failed = Set<Int>()
    // Every process, this one included, idle before each turn, so that each
    // implementation has the machine to itself as it is timed; then one
    // evaluation untimed, by each alike (ForeignServer's `time`): the first
    // after the wait finds cold caches (ours took about 1 ms more, 50% of
    // an evaluation, with its helper threads kept spinning), which training,
    // evaluating back to back, does not see.
    let processes = [getpid()] + servers.map(\.processIdentifier)
    var waits: [Double] = []
    for round in 0..<rounds {
      for k in 0..<count {
        let i = (round + k) % count
        if failed.contains(i) { continue }
        waits.append(waitUntilIdle(processes))
        if i == 0 {
          _ = costFunction(p)
          let start = now()
          for _ in 0..<evaluations { lastJ[0] = costFunction(p).J }
          seconds[0].append((now() - start) / Double(evaluations))
        } else if let (time, J) = servers[i - 1].time(evaluations) {
          seconds[i].append(time)
          lastJ[i] = J
        } else {
          failed.insert(i)
          print("   \(servers[i - 1].name): stopped answering in round \(round + 1)")
        }
      }
    }
    let ours = Summary(seconds[0])
    let waited = Summary(waits)
    print(
      String(
        format:
          "   before each turn, every process idle for 20 ms (their threads stop spinning), then one untimed evaluation: waited %.0f ms at the median, %.0f at most",
        waited.median * 1e3, waited.maximum * 1e3))
    let column = { (name: String) in name.padding(toLength: 18, withPad: " ", startingAt: 0) }
    print("   \(column("ours (Swift)")) \(ours.milliseconds)")
    print("                      \(BLASKernel.current) kernel; J = \(J)")
    var speedups: [String] = []
    for i in 1..<count where !failed.contains(i) {
      let server = servers[i - 1]
      let theirs = Summary(seconds[i])
      let ratios = Summary(zip(seconds[0], seconds[i]).map { $0 / $1 })
      let agreement = max(abs(server.J - J), abs(lastJ[i] - J)) / abs(J)
      let gradientAgreement = relativeDifference(server.gradient, gradient.values)
      let agrees = agreement <= agreementBound && gradientAgreement <= agreementBound
      print("   \(column(server.name)) \(theirs.milliseconds)")
      print(
        String(
          format:
            "                      ours/theirs %.3f (rounds %.3f–%.3f): %@; J agrees to %.1e, the gradient to %.1e%@",
          ratios.median, ratios.minimum, ratios.maximum, Self.comparison(ratios.median), agreement, gradientAgreement,
          agrees ? "" : String(format: ": NOT within %.0e, so not the same computation", agreementBound)))
      print("                      \(server.details)")
      if agrees { speedups.append(String(format: "%@ %.2f", server.name, 1 / ratios.median)) }
    }
    if !speedups.isEmpty {
      print(
        "   ours against each at its best setting (a factor below 1: theirs is faster), times faster: \(speedups.joined(separator: ", "))"
      )
    }
    print("")
  }

  /// "ours 2.50× faster" for a ratio ours/theirs of 0.4, "ours 1.25× slower"
  /// for 1.25: the factor is always at least 1, the word says which way.
  static func comparison(_ oursOverTheirs: Double) -> String {
    oursOverTheirs <= 1
      ? String(format: "ours %.2f× faster", 1 / oursOverTheirs) : String(format: "ours %.2f× slower", oursOverTheirs)
  }

  /// The debug build's training time, as `swift run ex4 --no-pause --seed 1`
  /// prints it: `.build/debug/ex4` is run when it is there.
  func debugTraining() {
    let executable = "\(packageRoot)/.build/debug/ex4"
    print("== the debug build's training (\(executable) --no-pause --seed 1)")
    guard FileManager.default.isExecutableFile(atPath: executable) else {
      print("   not measured: the debug build is not there (swift build --product ex4 makes it)\n")
      return
    }
    let directory = FileManager.default.temporaryDirectory.appendingPathComponent("ex4-bench-debug-\(getpid())").path
    defer { try? FileManager.default.removeItem(atPath: directory) }
    try? FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
    let (output, problem) = runProgram(executable, ["--no-pause", "--seed", "1", "--verbose"], in: directory)
    guard let output else {
      print("   not measured: \(problem ?? "unknown reason")\n")
      return
    }
    let lines = output.split(separator: "\n")
    for line in lines where line.hasPrefix("Training took") || line.hasPrefix("BLAS: ") { print("   \(line)") }
    print("")
  }

  /// Time per example at several m: it should not change with m.
  func linearity(_ w: Workload, peak: Double) {
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
