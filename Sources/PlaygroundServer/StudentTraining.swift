import ExerciseGrading
import ExerciseData
import TrainingRecord
import ExercisePrograms
import Foundation
import NeuralNetworkLearning

/// Training with the student's functions (`--student`) in a child process
/// of this executable, so that a trap, a crash or a loop without end in
/// them ends the child, is reported as `ex4 submit` reports it (the file
/// and line, from the child's backtrace) and leaves the server serving.
///
/// The child (``StudentTrainingChild``) reads the settings as one JSON
/// line, trains, and after each iteration writes a line `iteration <i>
/// <J> <weights…>` (the numbers' bit patterns in hexadecimal) and waits for a
/// line on its standard input before going on; closing that input stops it.
package struct StudentCostSource: CostSource {
  package let executable: String
  package let arguments: [String]
  /// Seconds the child may take for one iteration before it is stopped.
  package let iterationLimit: Double
  /// The piece of the path of the student's files, to find their line in a backtrace.
  package let sourcePathMarker: String

  /// The digits file the server trains on (nil: the child's own default, the same choice).
  package let dataPath: String?

  package init(
    executable: String, arguments: [String], dataPath: String?, iterationLimit: Double = 60,
    sourcePathMarker: String = "/exercises/student/"
  ) {
    self.executable = executable
    self.sourcePathMarker = sourcePathMarker
    self.dataPath = dataPath
    self.arguments = arguments
    self.iterationLimit = iterationLimit
  }

  package func minimise(
    layerSizes: [Int], X: Matrix, y: Matrix, settings: TrainingSettings, initial: Matrix,
    observer: @escaping (Int, Double, Matrix) -> Bool
  ) throws {
    guard layerSizes.count == 3 else {
      throw InputError(
        "--student trains the course's network with one hidden layer (your nnCostFunction); --hidden-layers cannot be used with it"
      )
    }
    let process = Process()
    process.executableURL = URL(fileURLWithPath: executable)
    process.arguments = arguments
    var environment = ProcessInfo.processInfo.environment
    for (key, value) in Grader.childEnvironment where key != "OPENBLAS_NUM_THREADS" { environment[key] = value }
    if let dataPath { environment[StudentTrainingChild.dataVariable] = dataPath }
    process.environment = environment
    let input = Pipe()
    let output = Pipe()
    let errors = Pipe()
    process.standardInput = input
    process.standardOutput = output
    process.standardError = errors
    // Standard error is read as it comes, so that a long backtrace cannot block the child.
    let errorText = Shared(Data())
    errors.fileHandleForReading.readabilityHandler = { handle in
      let chunk = handle.availableData
      errorText.withLock { if $0.count < 1 << 20 { $0.append(chunk) } }
    }
    let clock = ContinuousClock()
    let started = clock.now
    try process.run()
    let request = try JSONEncoder().encode(settings)
    input.fileHandleForWriting.write(request + Data("\n".utf8))

    // A watchdog: the child must send each iteration within the limit.
    let waitingSince = Shared<ContinuousClock.Instant?>(clock.now)
    let timedOut = Shared(false)
    let watchdog = Thread {
      while process.isRunning {
        if let since = waitingSince.withLock({ $0 }), clock.now - since > .milliseconds(Int(iterationLimit * 1000)) {
          timedOut.withLock { $0 = true }
          kill(process.processIdentifier, SIGKILL)
          return
        }
        usleep(100_000)
      }
    }
    watchdog.start()

    var reader = LineReader(handle: output.fileHandleForReading)
    var stopped = false
    while let line = reader.next() {
      guard line.hasPrefix("iteration ") else { continue }
      let fields = line.split(separator: " ")
      guard fields.count == 3 + initial.count, let i = Int(fields[1]), let bits = UInt64(fields[2], radix: 16)
      else { continue }
      let values = fields[3...].map { Double(bitPattern: UInt64($0, radix: 16) ?? 0) }
      waitingSince.withLock { $0 = nil }
      if !observer(i, Double(bitPattern: bits), Matrix(column: values)) {
        stopped = true
        break
      }
      waitingSince.withLock { $0 = clock.now }
      input.fileHandleForWriting.write(Data("go\n".utf8))
    }
    waitingSince.withLock { $0 = nil }
    try? input.fileHandleForWriting.close()
    if stopped { kill(process.processIdentifier, SIGKILL) }
    process.waitUntilExit()
    errors.fileHandleForReading.readabilityHandler = nil
    let text = String(
      decoding: errorText.withLock { $0 } + errors.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
    if stopped || (process.terminationReason == .exit && process.terminationStatus == 0) { return }
    let ending: ChildProcess.Ending =
      timedOut.withLock { $0 }
      ? .timedOut
      : process.terminationReason == .uncaughtSignal
        ? .signalled(process.terminationStatus) : .exited(process.terminationStatus)
    let outcome = ChildProcess.Outcome(
      ending: ending, standardOutput: "", standardError: text, seconds: seconds(clock.now - started))
    let failure = ChildFailure(
      outcome, limits: Grader.Limits(seconds: iterationLimit), sourcePathMarker: sourcePathMarker)
    throw StudentCodeFailure(description: "Your functions in exercises/student/: \(failure.description).")
  }
}

/// A student's function stopped the training; the page shows the sentence.
package struct StudentCodeFailure: Error, CustomStringConvertible {
  package let description: String
}

/// Lines from a pipe, as they arrive.
private struct LineReader {
  let handle: FileHandle
  var buffer = Data()

  mutating func next() -> String? {
    while true {
      if let newline = buffer.firstIndex(of: UInt8(ascii: "\n")) {
        let line = String(decoding: buffer[buffer.startIndex..<newline], as: UTF8.self)
        buffer = Data(buffer[(newline + 1)...])
        return line
      }
      let chunk = handle.availableData
      if chunk.isEmpty {
        guard !buffer.isEmpty else { return nil }
        defer { buffer = Data() }
        return String(decoding: buffer, as: UTF8.self)
      }
      buffer.append(chunk)
    }
  }
}

/// The child's side of ``StudentCostSource``: training with `functions`.
package enum StudentTrainingChild {
  package static func run(with functions: some ExerciseFunctions) throws {
    guard let line = readLine(), let settings = try? JSONDecoder().decode(TrainingSettings.self, from: Data(line.utf8))
    else { throw InputError("train-part: expected the settings as one line of JSON on standard input") }
    let loaded = try DigitData.load(named: ProcessInfo.processInfo.environment[dataVariable])
    let data = PlaygroundData(X: loaded.X, y: loaded.y, source: loaded.source)
    let (training, _) = data.split(settings)
    let layerSizes = settings.layerSizes(inputs: data.X.columns, labels: 10)
    var random = OctaveRandom(seed: settings.seed)
    let initial = unroll(functions.randInitializeWeights(layerSizes: layerSizes, using: &random))
    let network = NetworkTraining(
      layerSizes: layerSizes, lambda: settings.lambda,
      costFunction: functions.costFunction(
        layerSizes: layerSizes, X: training.X, y: training.y, lambda: settings.lambda))
    _ = try network.run(
      from: initial, maxIter: settings.iterations, optimizer: settings.minimiser ?? .fmincg, progress: .silent
    ) { i, J, p in
      let weights = p.values.map { String($0.bitPattern, radix: 16) }.joined(separator: " ")
      print("iteration \(i) \(String(J.bitPattern, radix: 16)) \(weights)")
      fflush(nil)
      if readLine() == nil { exit(0) }
    }
  }

  /// The environment variable that names the data file for the child.
  package static let dataVariable = "EX4_PLAYGROUND_DATA"
}
