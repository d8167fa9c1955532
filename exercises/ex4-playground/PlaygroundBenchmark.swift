import ArgumentParser
import ExerciseData
import TrainingRecord
import ExercisePrograms
import Foundation
import NeuralNetworkLearning
import PlaygroundServer

/// `ex4-playground benchmark`: how long the server takes to answer a
/// drawing while the course's network trains, measured from the moment the
/// drawing message is handed to the server to the moment its answer is
/// ready to be written to the socket (the page's WebSocket adds loopback's
/// fraction of a millisecond).
struct PlaygroundBenchmark: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "benchmark",
    abstract: "Time the answers to drawings while the course's network trains (p50, p90, p99, max).")

  @OptionGroup var digits: DigitDataOption

  @Option(name: .long, help: ArgumentHelp("Drawings to answer.", valueName: "n"))
  var drawings = 400

  @Option(name: .long, help: ArgumentHelp("Milliseconds between drawings.", valueName: "ms"))
  var interval = 20

  func run() throws {
    let loaded = try DigitData.load(named: digits.data)
    let data = PlaygroundData(X: loaded.X, y: loaded.y, source: loaded.source)
    let playground = Playground(access: PlaygroundAccess(), data: data)
    let trainer = UUID()
    let state = Shared<(iterations: Int, running: Bool)>((0, false))
    let ready = DispatchSemaphore(value: 0)
    // A first network to draw for, then the course's network training for
    // as long as the drawings go on (restarted when it finishes).
    let firstRun = """
      {"type": "train", "settings": {"iterations": 5, "heldOutPercent": 0}}
      """
    playground.handle((firstRun), from: trainer) { message in
      if message.text.contains("\"state\":\"finished\"") { ready.signal() }
    }
    ready.wait()
    usleep(300_000)  // the finished run leaves its slot just after saying so
    let startTraining = {
      state.withLock { $0.running = true }
      playground.handle(
        ("{\"type\": \"train\", \"settings\": {\"iterations\": 100000, \"heldOutPercent\": 20}}"), from: trainer
      ) {
        message in
        if message.text.contains("\"type\":\"iteration\"") { state.withLock { $0.iterations += 1 } }
        if message.text.contains("\"state\":\"finished\"") || message.text.contains("\"state\":\"idle\"") {
          state.withLock { $0.running = false }
        }
      }
    }
    // A vertical stroke, 140×140 grey, as the page sends it.
    var bar = [UInt8](repeating: 255, count: 140 * 140)
    for i in 20..<120 { for j in 62..<78 { bar[i * 140 + j] = 0 } }
    let drawing = """
      {"type": "draw", "width": 140, "height": 140, "grey": "\(Data(bar).base64EncodedString())"}
      """
    let clock = ContinuousClock()
    let drawer = UUID()
    /// The milliseconds each of `count` drawings took to be answered, sorted.
    func answer(_ count: Int, whileTraining: Bool) -> [Double] {
      var latencies: [Double] = []
      for _ in 0..<count {
        if whileTraining && !state.withLock({ $0.running }) { startTraining() }
        let answered = DispatchSemaphore(value: 0)
        let start = clock.now
        playground.handle((drawing), from: drawer) { message in
          if message.text.contains("\"type\":\"guess\"") { answered.signal() }
        }
        answered.wait()
        let elapsed = (clock.now - start).components
        latencies.append(Double(elapsed.seconds) * 1000 + Double(elapsed.attoseconds) / 1e15)
        usleep(useconds_t(interval * 1000))
      }
      return latencies.sorted()
    }
    // The same drawings first with nothing training (what the answers are
    // compared with), then while the course's network trains.
    let idle = answer(max(drawings / 4, 20), whileTraining: false)
    let training = answer(drawings, whileTraining: true)
    playground.stopTrainingAndWait()
    func percentile(_ latencies: [Double], _ p: Double) -> Double {
      latencies[min(latencies.count - 1, Int(p * Double(latencies.count)))]
    }
    func line(_ latencies: [Double]) -> String {
      String(
        format: "p50 %.2f ms, p90 %.2f ms, p99 %.2f ms, max %.2f ms", percentile(latencies, 0.5),
        percentile(latencies, 0.9), percentile(latencies, 0.99), latencies.last ?? .nan)
    }
    print("\(idle.count) drawings answered with nothing training: \(line(idle))")
    print(
      "\(training.count) drawings answered while training (\(state.withLock { $0.iterations }) iterations meanwhile): "
        + line(training))
    let p99 = percentile(training, 0.99)
    let ratio = String(format: "%.2f", p99 / percentile(idle, 0.99))
    print(
      "p99 while training: \(ratio)× the p99 with nothing training; \(p99 <= 50 ? "within" : "over") the 50 ms allowed")
  }
}
