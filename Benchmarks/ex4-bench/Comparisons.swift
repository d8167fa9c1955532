import Foundation
import NeuralNetworkLearning

/// Runs `program arguments` and returns its standard output, or nil with a
/// reason when it cannot be run or fails.
func runProgram(_ program: String, _ arguments: [String], in directory: String? = nil) -> (
  output: String?, problem: String?
) {
  guard let path = program.hasPrefix("/") ? program : findExecutable(program) else {
    return (nil, "\(program) is not on PATH")
  }
  let process = Process()
  process.executableURL = URL(fileURLWithPath: path)
  process.arguments = arguments
  if let directory { process.currentDirectoryURL = URL(fileURLWithPath: directory) }
  let output = Pipe()
  let errors = Pipe()
  process.standardOutput = output
  process.standardError = errors
  do { try process.run() } catch { return (nil, "could not start \(program): \(error)") }
  // Standard error is read on another thread, so that neither pipe can fill up and block the child.
  nonisolated(unsafe) var errorData = Data()
  let reader = Thread { errorData = errors.fileHandleForReading.readDataToEndOfFile() }
  reader.start()
  let data = output.fileHandleForReading.readDataToEndOfFile()
  process.waitUntilExit()
  while !reader.isFinished { usleep(1000) }
  guard process.terminationStatus == 0 else {
    let message = String(decoding: errorData, as: UTF8.self).split(separator: "\n").suffix(3).joined(separator: " / ")
    return (nil, "\(program) failed (status \(process.terminationStatus)): \(message)")
  }
  return (String(decoding: data, as: UTF8.self), nil)
}

func findExecutable(_ name: String) -> String? {
  for directory in (ProcessInfo.processInfo.environment["PATH"] ?? "").split(separator: ":") {
    let path = "\(directory)/\(name)"
    if FileManager.default.isExecutableFile(atPath: path) { return path }
  }
  return nil
}

/// The workload and a start point written as raw column-major doubles for
/// the other implementations to read: X.bin, y.bin, p.bin in `directory`.
func writeRaw(_ workload: Workload, parameters: Matrix, to directory: String) throws {
  for (name, matrix) in [("X", workload.X), ("y", workload.y), ("p", parameters)] {
    let data = matrix.withUnsafeBufferPointer { Data(buffer: $0) }
    try data.write(to: URL(fileURLWithPath: "\(directory)/\(name).bin"))
  }
}

/// Another implementation of the course's cost and gradient, kept running in
/// a process of its own across the rounds (so that starting Python or
/// Octave, importing, compiling, choosing its settings and loading the data
/// are not timed): it loads X.bin, y.bin and p.bin, evaluates, writes its
/// gradient at p as raw doubles to `gradientFile`, prints `READY J what`, and
/// then for each command `time N` evaluates once untimed (the first
/// evaluation after the idle wait before each turn finds cold caches), then N
/// times, and prints `TIME seconds J` for the N.
/// Commands go to its standard input, or, with `commandFiles`, into files
/// `command-1`, `command-2`, … there (Octave reads a pipe in blocks, not
/// lines, so it would wait for more than one command).
final class ForeignServer {
  let name: String
  /// What it runs (version, threads, BLAS), from its READY line.
  private(set) var details = ""
  /// J at the start point, from its READY line.
  private(set) var J = Double.nan
  /// The gradient at the start point, unrolled as the course's, from `gradientFile`.
  private(set) var gradient: [Double] = []
  private let gradientFile: String
  private let process = Process()
  private let input = Pipe()
  private let output = Pipe()
  private let errorFile: String
  private var buffer = Data()
  private let commandFiles: String?
  private var commandsSent = 0

  /// Starts `program arguments`; `ready()` waits for it.
  init?(
    name: String, program: String, arguments: [String], directory: String, gradientFile: String,
    commandFiles: String? = nil, problem: inout String?
  ) {
    self.name = name
    self.gradientFile = gradientFile
    self.commandFiles = commandFiles
    guard let path = findExecutable(program) else {
      problem = "\(program) is not on PATH"
      return nil
    }
    errorFile = "\(directory)/\(name.filter { $0.isLetter || $0.isNumber }).stderr"
    _ = FileManager.default.createFile(atPath: errorFile, contents: nil)
    process.executableURL = URL(fileURLWithPath: path)
    process.arguments = arguments
    process.standardInput = commandFiles == nil ? input : FileHandle.nullDevice
    process.standardOutput = output
    process.standardError = FileHandle(forWritingAtPath: errorFile)
    do { try process.run() } catch {
      problem = "could not start \(program): \(error)"
      return nil
    }
  }

  /// The next line it prints, nil when it ends.
  private func readLine() -> String? {
    while true {
      if let newline = buffer.firstIndex(of: UInt8(ascii: "\n")) {
        let line = String(decoding: buffer[buffer.startIndex..<newline], as: UTF8.self)
        buffer = Data(buffer[(newline + 1)...])
        return line
      }
      let more = output.fileHandleForReading.availableData
      if more.isEmpty { return nil }
      buffer.append(more)
    }
  }

  private var lastErrors: String {
    let text = (try? String(contentsOfFile: errorFile, encoding: .utf8)) ?? ""
    return text.split(separator: "\n").suffix(3).joined(separator: " / ")
  }

  /// Waits for its READY line; nil when it is ready, the reason otherwise
  /// (a library that does not import says UNAVAILABLE and why).
  func ready() -> String? {
    while let line = readLine() {
      if line.hasPrefix("UNAVAILABLE ") { return String(line.dropFirst("UNAVAILABLE ".count)) }
      guard line.hasPrefix("READY ") else { continue }
      let parts = line.split(separator: " ", maxSplits: 2)
      J = parts.count > 1 ? Double(parts[1]) ?? .nan : .nan
      details = parts.count > 2 ? String(parts[2]) : ""
      guard let data = FileManager.default.contents(atPath: gradientFile), data.count % 8 == 0 else {
        return "it wrote no gradient to \(gradientFile)"
      }
      gradient = [Double](repeating: 0, count: data.count / 8)
      gradient.withUnsafeMutableBytes { _ = data.copyBytes(to: $0) }
      return nil
    }
    return "it ended before it was ready: \(lastErrors)"
  }

  /// Sends one command: a line on its standard input, or the next command file
  /// (written under another name, then renamed, so that it is never read half-written).
  private func send(_ command: String) {
    guard let commandFiles else {
      try? input.fileHandleForWriting.write(contentsOf: Data("\(command)\n".utf8))
      return
    }
    commandsSent += 1
    let path = "\(commandFiles)/command-\(commandsSent)"
    try? "\(command)\n".write(toFile: path + ".part", atomically: false, encoding: .utf8)
    rename(path + ".part", path)
  }

  /// Its process, whose threads ``waitUntilIdle(_:window:limit:)`` watches.
  var processIdentifier: Int32 { process.processIdentifier }

  /// Seconds per evaluation over `evaluations` evaluations, and the last J; nil if it failed.
  func time(_ evaluations: Int) -> (seconds: Double, J: Double)? {
    send("time \(evaluations)")
    while let line = readLine() {
      guard line.hasPrefix("TIME ") else { continue }
      let numbers = line.split(separator: " ").dropFirst().compactMap { Double($0) }
      guard numbers.count == 2 else { return nil }
      return (numbers[0] / Double(evaluations), numbers[1])
    }
    return nil
  }

  func stop() {
    send("quit")
    try? input.fileHandleForWriting.close()
    process.waitUntilExit()
    try? FileManager.default.removeItem(atPath: errorFile)
  }
}

/// How closely another implementation's J and gradient must agree with ours,
/// relative to our J and to our gradient's largest entry, to count as the
/// same computation. J is a sum of m·K cross-entropy terms of one sign
/// (50 000 at the course shape, 600 000 at the large ones) and a penalty;
/// adding N terms of one sign in any order errs by at most (N − 1)·u
/// relative (u = 1.1e-16): 5.6e-12 and 6.7e-11. Each gradient entry is a sum
/// over the m examples whose terms have both signs, and each library has
/// its own exp and log, within an ulp or two; 1e-9 leaves room for both.
/// A different computation (a transposed Theta, a regularised bias, a
/// missing 1/m) differs by 1e-5 or more.
let agreementBound = 1e-9

/// The largest difference between `theirs` and `ours` relative to the largest
/// entry of `ours`; infinity when their lengths differ or either has a NaN.
func relativeDifference(_ theirs: [Double], _ ours: [Double]) -> Double {
  guard theirs.count == ours.count, !ours.isEmpty else { return .infinity }
  var largest = 0.0
  var difference = 0.0
  for (a, b) in zip(theirs, ours) {
    guard !a.isNaN, !b.isNaN else { return .infinity }
    largest = max(largest, abs(b))
    difference = max(difference, abs(a - b))
  }
  return difference / largest
}

/// The Python implementations, each written as a careful user of its library
/// writes it: NumPy, PyTorch with a hand-written backward pass and with
/// autograd, and JAX's jit of value_and_grad; all in float64, the same
/// network and the same cost (sigmoid, the course's cross-entropy,
/// regularisation leaving the biases out), with the gradient unrolled as the
/// course's `[Theta1_grad(:); Theta2_grad(:)]`. Each times its settings at
/// start (X's memory order, threads, `torch.compile`) and keeps the fastest.
/// `peak` measures NumPy's square matrix product instead.
let pythonServerScript = #"""
  import sys, time, os, glob

  def reply(*words):
      print(*words, flush=True)

  def numpy_openblas():
      """The OpenBLAS NumPy's wheel bundles, for its kernel and thread count; None when it is another BLAS."""
      import numpy as np, ctypes
      try:
          return ctypes.CDLL(glob.glob(os.path.dirname(np.__file__) + '.libs/libscipy_openblas64_*')[0])
      except Exception:
          return None

  def numpy_blas():
      import numpy as np, ctypes
      blas = np.show_config(mode='dicts')['Build Dependencies']['blas']
      lib = numpy_openblas()
      if lib is None:
          return 'BLAS ' + str(blas.get('name'))
      corename = lib.scipy_openblas_get_corename64_
      corename.restype = ctypes.c_char_p
      return 'OpenBLAS %s, kernel %s' % (blas['version'], corename().decode())

  if sys.argv[1] == 'peak':
      import numpy as np
      n = int(sys.argv[2])
      a = (np.arange(n * n) * 7919 % 1000 / 1000.0 - 0.5).reshape(n, n)
      a @ a
      times = []
      for _ in range(4):
          start = time.perf_counter()
          a @ a
          times.append(time.perf_counter() - start)
      best = min(times)
      reply('PEAK', 2 * n ** 3 / best / 1e9, 'NumPy', np.__version__ + ',', numpy_blas())
      sys.exit(0)

  def per_evaluation(evaluate, p):
      """Seconds an evaluation takes: the least of 3 batches of evaluations
      that take about 50 ms together (at least 2 evaluations a batch)."""
      start = time.perf_counter()
      evaluate(p)
      once = time.perf_counter() - start
      count = max(2, min(50, int(0.05 / max(once, 1e-6))))
      best = float('inf')
      for _ in range(3):
          start = time.perf_counter()
          for _ in range(count):
              evaluate(p)
          best = min(best, (time.perf_counter() - start) / count)
      return best

  def choose(settings, p):
      """The fastest of `settings`, pairs (label, prepare) where prepare()
      puts the setting in place and returns its evaluate(p). Each is timed
      in turn after two untimed evaluations (which compile what is
      compiled); a setting that fails is reported with its error and left
      out. Returns the best label, its evaluate (prepared again) and every
      setting's time in ms, as text."""
      timings, failures = {}, {}
      for label, prepare in settings:
          try:
              evaluate = prepare()
              evaluate(p)
              evaluate(p)
              timings[label] = per_evaluation(evaluate, p)
          except Exception as error:
              failures[label] = (type(error).__name__ + ': ' + str(error)).replace('\n', ' ')[:200]
      if not timings:
          raise RuntimeError('no setting ran: ' + '; '.join('%s: %s' % item for item in failures.items()))
      best = min(timings, key=timings.get)
      evaluate = dict(settings)[best]()
      evaluate(p)
      evaluate(p)
      described = ', '.join('%s %.3f' % (label, timings[label] * 1e3) for label in timings)
      for label, reason in failures.items():
          described += ', %s skipped: %s' % (label, reason)
      return best, evaluate, described

  def threads_label(threads):
      return '%d thread%s' % (threads, '' if threads == 1 else 's')

  kind, d = sys.argv[1], sys.argv[2]
  m, n, h, K = (int(v) for v in sys.argv[3:7])
  lam = float(sys.argv[7])
  import numpy as np
  X = np.fromfile(d + '/X.bin', dtype=np.float64).reshape((m, n), order='F')
  y = np.fromfile(d + '/y.bin', dtype=np.float64).astype(int)
  p0 = np.fromfile(d + '/p.bin', dtype=np.float64)
  Y = (np.arange(1, K + 1)[None, :] == y[:, None]).astype(np.float64)
  # X in both memory orders, made once: each library's products are timed with both.
  orders = {'C-order': np.ascontiguousarray(X), 'F-order': np.asfortranarray(X)}

  # Every implementation below keeps the bias apart, as users of these
  # libraries write a layer (z = X·W₁ᵀ + b₁), instead of forming [1 X] and
  # [1 a2] on every call as the course's Octave does. p is the course's
  # unrolled [Theta1(:); Theta2(:)], column-major, so Theta1's bias column is
  # p[:h], and Theta1(:, 2:end)ᵀ is p[h:s1] read as an n×h row-major matrix:
  # the split is a pair of views, made inside the evaluation because an
  # optimiser hands it a new p on every call, and it costs no copy.
  # The gradient comes back in the same layout.
  s1 = h * (n + 1)
  # The cross-entropy of the course, −Σ Y log(a3) + (1 − Y) log(1 − a3) with
  # a3 = sigmoid(z3), in the form that cannot take the log of a rounded 0 or 1:
  # −log a3 = softplus(−z3) and −log(1 − a3) = softplus(z3), so each term is
  # softplus(z3) − Y·z3 (softplus(z) = log(1 + eᶻ)). The course's form gives
  # Inf or NaN once z3 > 37 (a3 rounds to 1) or z3 < −745 (a3
  # underflows to 0); this one is finite wherever z3 is.
  what = ''

  if kind == 'numpy':
      def numpy_evaluate(p, X):
          b1, w1 = p[:h], p[h:s1]
          b2, w2 = p[s1:s1 + K], p[s1 + K:]
          W1t, W2t = w1.reshape(n, h), w2.reshape(h, K)
          # The hidden layer's sigmoid in place, in its one buffer.
          a2 = X @ W1t
          a2 += b1
          np.negative(a2, out=a2)
          np.exp(a2, out=a2)
          a2 += 1
          np.reciprocal(a2, out=a2)
          z3 = a2 @ W2t
          z3 += b2
          # softplus(z3) = z3 + log1p(e) with e = exp(−z3), which a3 = 1/(1 + e) needs too:
          # one exp and one log1p a term. e overflows for z3 < −709, a little before the
          # course's form fails (−745); np.logaddexp would avoid that at the cost of a second exp.
          e = np.exp(-z3)
          J = (np.log1p(e).sum() + z3.sum() - np.vdot(Y, z3)) / m + lam / (2 * m) * (w1 @ w1 + w2 @ w2)
          delta3 = e
          delta3 += 1
          np.reciprocal(delta3, out=delta3)
          delta3 -= Y
          # The products write straight into the gradient's parts.
          grad = np.empty_like(p)
          np.sum(delta3, axis=0, out=grad[s1:s1 + K])
          np.matmul(a2.T, delta3, out=grad[s1 + K:].reshape(h, K))
          delta2 = delta3 @ W2t.T
          delta2 *= a2
          np.subtract(1, a2, out=a2)
          delta2 *= a2
          np.sum(delta2, axis=0, out=grad[:h])
          np.matmul(X.T, delta2, out=grad[h:s1].reshape(n, h))
          grad[h:s1] += lam * w1
          grad[s1 + K:] += lam * w2
          grad /= m
          return float(J), grad
      openblas = numpy_openblas()
      all_threads = openblas.scipy_openblas_get_num_threads64_() if openblas else 1
      def numpy_setting(order, threads):
          def prepare():
              if openblas:
                  openblas.scipy_openblas_set_num_threads64_(threads)
              X = orders[order]
              return lambda p: numpy_evaluate(p, X)
          return prepare
      p = p0
      best, evaluate, described = choose(
          [('X %s, %s' % (order, threads_label(threads)), numpy_setting(order, threads))
           for order in orders for threads in sorted({1, all_threads})], p)
      what = 'NumPy %s (%s), best: %s; ms per evaluation at start: %s' % (
          np.__version__, numpy_blas(), best, described)

  elif kind in ('torch', 'torch-autograd'):
      try:
          import torch
          import torch.nn.functional as F
      except Exception as error:
          reply('UNAVAILABLE', 'PyTorch does not import:', repr(error)[:200])
          sys.exit(0)
      Yt = torch.from_numpy(Y)
      # 1 where p holds a weight, 0 where it holds a bias (not regularised).
      regularised = torch.ones(p0.size, dtype=torch.float64)
      regularised[:h] = 0
      regularised[s1:s1 + K] = 0
      def forward(p, X):
          b1, W1t = p[:h], p[h:s1].view(n, h)
          b2, W2t = p[s1:s1 + K], p[s1 + K:].view(h, K)
          a2 = torch.sigmoid(torch.addmm(b1, X, W1t))
          z3 = torch.addmm(b2, a2, W2t)
          # PyTorch's own form of the cross-entropy from z3, the softplus form above.
          J = F.binary_cross_entropy_with_logits(z3, Yt, reduction='sum') / m + lam / (2 * m) * (
              W1t.square().sum() + W2t.square().sum())
          return J, a2, z3
      def hand_written(p, X):
          J, a2, z3 = forward(p, X)
          W2t = p[s1 + K:].view(h, K)
          delta3 = torch.sigmoid(z3) - Yt
          delta2 = (delta3 @ W2t.T) * (a2 * (1 - a2))
          grad = torch.cat([delta2.sum(0), (X.T @ delta2).view(-1), delta3.sum(0), (a2.T @ delta3).view(-1)])
          return J, (grad + lam * regularised * p) / m
      def cost(p, X):
          return forward(p, X)[0]
      def with_autograd(J_of):
          def evaluate(p, X):
              p = p.detach().requires_grad_(True)
              J = J_of(p, X)
              J.backward()
              return J.detach(), p.grad
          return evaluate
      all_threads = torch.get_num_threads()
      def torch_setting(order, threads, compiled):
          def prepare():
              torch.set_num_threads(threads)
              # Compiled code keeps the thread count it was compiled with: compile afresh.
              torch._dynamo.reset()
              Xt = torch.from_numpy(orders[order])
              if kind == 'torch':
                  f = torch.compile(hand_written) if compiled else hand_written
              else:
                  f = with_autograd(torch.compile(cost) if compiled else cost)
              def evaluate(p):
                  J, g = f(p, Xt)
                  return float(J), g
              return evaluate
          return prepare
      p = torch.from_numpy(p0.copy())
      # X's order first (eager, 1 thread: threads contending with other work would hide
      # the order's effect), then threads and compiling with that order.
      order, _, by_order = choose([(order, torch_setting(order, 1, False)) for order in orders], p)
      best, evaluate, described = choose(
          [('%s, %s' % ('torch.compile' if compiled else 'eager', threads_label(threads)),
            torch_setting(order, threads, compiled))
           for compiled in (False, True) for threads in sorted({1, all_threads})], p)
      what = 'PyTorch %s, %s, best: X %s, %s; ms per evaluation at start: %s (X: %s)' % (
          torch.__version__, 'hand-written backward' if kind == 'torch' else 'autograd', order, best, described,
          by_order)

  elif kind == 'jax':
      try:
          import jax
          jax.config.update('jax_enable_x64', True)
          import jax.numpy as jnp
      except Exception as error:
          reply('UNAVAILABLE', 'JAX does not import:', repr(error)[:200])
          sys.exit(0)
      # XLA chooses its own layouts, so X's order is not a setting here.
      Xj = jnp.asarray(X)
      Yj = jnp.asarray(Y)
      def cost(p):
          b1, w1 = p[:h], p[h:s1]
          b2, w2 = p[s1:s1 + K], p[s1 + K:]
          a2 = jax.nn.sigmoid(Xj @ w1.reshape(n, h) + b1)
          z3 = a2 @ w2.reshape(h, K) + b2
          return (jnp.sum(jax.nn.softplus(z3)) - jnp.vdot(Yj, z3)) / m + lam / (2 * m) * (w1 @ w1 + w2 @ w2)
      value_and_grad = jax.jit(jax.value_and_grad(cost))
      def evaluate(p):
          J, g = value_and_grad(p)
          g.block_until_ready()
          return float(J), g
      p = jnp.asarray(p0)
      assert p.dtype == jnp.float64
      evaluate(p)
      what = 'JAX %s, jit(value_and_grad), %s; %.3f ms per evaluation at start' % (
          jax.__version__, jax.devices()[0].platform, per_evaluation(evaluate, p) * 1e3)

  J, g = evaluate(p)
  np.asarray(g, dtype=np.float64).tofile(d + '/' + kind + '.gradient.bin')
  reply('READY', repr(J), what)
  for line in sys.stdin:
      words = line.split()
      if not words or words[0] == 'quit':
          break
      count = int(words[1])
      evaluate(p)
      start = time.perf_counter()
      for _ in range(count):
          J, _ = evaluate(p)
      reply('TIME', repr(time.perf_counter() - start), repr(J))
  """#

/// Octave running the project's reference `fixtures/nn/nnCostFunction.m`
/// (the course's vectorised cost and gradient), as a server like the Python ones.
func octaveServerScript(_ w: Workload, directory: String, lambda: Double) -> String {
  """
  addpath('\(packageRoot)/fixtures/nn');
  m = \(w.m); n = \(w.n); h = \(w.hiddenLayerSize); K = \(w.numLabels); lambda = \(lambda);
  f = fopen('\(directory)/X.bin'); X = reshape(fread(f, m * n, 'double'), m, n); fclose(f);
  f = fopen('\(directory)/y.bin'); y = fread(f, m, 'double'); fclose(f);
  f = fopen('\(directory)/p.bin'); p = fread(f, Inf, 'double'); fclose(f);
  [J, g] = nnCostFunction(p, n, h, K, X, y, lambda);
  f = fopen('\(directory)/octave.gradient.bin', 'w'); fwrite(f, g, 'double'); fclose(f);
  printf('READY %.17g Octave %s (fixtures/nn/nnCostFunction.m)\\n', J, version()); fflush(stdout);
  % Commands arrive as files command-1, command-2, … (see ForeignServer).
  k = 1;
  while true
    command = sprintf('\(directory)/command-%d', k);
    % fopen, not exist(): exist() can answer from a stale listing of the folder.
    % It stops when the benchmark is gone (killed before it could say quit).
    % A look every 5 ms keeps its polling near 1% of a core, which would
    % otherwise slow whatever is timed beside it (its own timing is tic/toc).
    f = fopen(command);
    while f < 0
      if getppid() ~= \(getpid())
        exit(1);
      end
      pause(0.005);
      f = fopen(command);
    end
    line = fgetl(f);
    fclose(f);
    delete(command);
    k = k + 1;
    if strncmp(line, 'quit', 4)
      break;
    end
    count = sscanf(line, 'time %d');
    [J, g] = nnCostFunction(p, n, h, K, X, y, lambda);
    tic;
    for evaluation = 1:count
      [J, g] = nnCostFunction(p, n, h, K, X, y, lambda);
    end
    printf('TIME %.9g %.17g\\n', toc, J); fflush(stdout);
  end
  """
}

/// NumPy's square `dgemm` speed (its wheel bundles its own, newer OpenBLAS),
/// in GFLOP/s, and what it ran; nil with the reason when it cannot.
func numpyPeak(order: Int, directory: String) -> (gflops: Double, what: String)? {
  let path = "\(directory)/server.py"
  guard (try? pythonServerScript.write(toFile: path, atomically: true, encoding: .utf8)) != nil else { return nil }
  let (output, problem) = runProgram("python3", [path, "peak", "\(order)"])
  guard let line = output?.split(separator: "\n").first(where: { $0.hasPrefix("PEAK ") }) else {
    print("   NumPy's dgemm peak: not measured (\(problem ?? "unexpected output: \(output ?? "")"))")
    return nil
  }
  let parts = line.split(separator: " ", maxSplits: 2)
  guard parts.count == 3, let gflops = Double(parts[1]) else { return nil }
  return (gflops, String(parts[2]))
}

/// The package's root folder, found from this source file's place in it.
let packageRoot = URL(fileURLWithPath: #filePath)
  .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent().path
