import Foundation
internal import _NeuralNetworkKernels
import Synchronization

/// Threads that stay ready between the engine's parallel passes.
///
/// One evaluation of the cost function at the course's shape shares one
/// pass between the cores (the chunks of examples, then the pieces of the
/// first layer's gradient), other shapes several. A thread that has gone to
/// sleep between passes, or between evaluations, wakes late, a large part
/// of an evaluation (the Performance article gives the measurement). These
/// helpers instead wait for the next pass by spinning for a while
/// (``spinLimit``) after each one, and only then sleep, so that
/// back-to-back evaluations, as in training, find them awake.
///
/// A pass is `body(runner)` on the calling thread (runner 0) and on every
/// helper (1 … helpers), returning when all of them have. One pass runs at a
/// time: a pass asked for while another is running, from another thread or
/// from inside a pass, goes to Dispatch instead. Which runner does what
/// never changes a result: the callers hand out their pieces by a counter,
/// and each piece's result is made wholly by one runner.
final class Runners: @unchecked Sendable {
  /// The cores this process may run on, read once: Foundation's
  /// `activeProcessorCount` reads the control group's files on every call
  /// on Linux (about 30 µs here, 1% of an evaluation at the course's shape,
  /// before the helpers could start).
  static let cores = ProcessInfo.processInfo.activeProcessorCount

  /// One helper for each core but the caller's.
  static let shared = Runners(helpers: cores - 1)

  /// Spins (each a processor pause) a helper waits for the next pass before
  /// it sleeps, meant to cover about a millisecond.
  static let spinLimit = 50_000

  let helpers: Int
  /// Bumped for each pass; a helper runs the pass whose number it sees.
  private let generation = Atomic<Int>(0)
  /// Helpers still inside the current pass.
  private let running = Atomic<Int>(0)
  /// Whether a pass is under way (one at a time).
  private let busy = Atomic<Bool>(false)
  /// Helpers asleep on `wake`.
  private let sleeping = Atomic<Int>(0)
  private let wake = NSCondition()
  /// The current pass; written before `generation` is bumped (releasing),
  /// read after it is seen (acquiring).
  nonisolated(unsafe) private var body: ((Int) -> Void)?

  private init(helpers: Int) {
    self.helpers = max(helpers, 0)
    for index in 0..<self.helpers {
      let thread = Thread { [unowned self] in self.serve(runner: index + 1) }
      thread.name = "NeuralNetworkEngine runner \(index + 1)"
      thread.start()
    }
  }

  /// Runs `body(r)` for r = 0 … `helpers` at once, r = 0 on this thread;
  /// false, having run nothing, when another pass is under way.
  func run(_ body: (Int) -> Void) -> Bool {
    guard helpers > 0, busy.compareExchange(expected: false, desired: true, ordering: .acquiring).exchanged else {
      return false
    }
    withoutActuallyEscaping(body) { body in
      self.body = body
      running.store(helpers, ordering: .relaxed)
      wake.lock()
      generation.add(1, ordering: .releasing)
      if sleeping.load(ordering: .relaxed) > 0 { wake.broadcast() }
      wake.unlock()
      body(0)
      while running.load(ordering: .acquiring) > 0 { nnl_spin_pause() }
      self.body = nil
    }
    busy.store(false, ordering: .releasing)
    return true
  }

  private func serve(runner: Int) {
    var seen = 0
    while true {
      var spins = 0
      while generation.load(ordering: .acquiring) == seen {
        spins += 1
        if spins < Self.spinLimit {
          nnl_spin_pause()
          continue
        }
        wake.lock()
        sleeping.add(1, ordering: .relaxed)
        while generation.load(ordering: .acquiring) == seen { wake.wait() }
        sleeping.subtract(1, ordering: .relaxed)
        wake.unlock()
      }
      seen = generation.load(ordering: .acquiring)
      body?(runner)
      running.subtract(1, ordering: .releasing)
    }
  }
}
