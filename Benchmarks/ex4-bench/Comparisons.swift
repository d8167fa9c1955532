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
/// Octave, importing, compiling and loading the data are not timed): it
/// loads X.bin, y.bin and p.bin, evaluates once, prints `READY J what`, and
/// then for each command `time N` evaluates N times and prints `TIME seconds J`.
/// Commands go to its standard input, or, with `commandFiles`, into files
/// `command-1`, `command-2`, … there (Octave reads a pipe in blocks, not
/// lines, so it would wait for more than one command).
final class ForeignServer {
  let name: String
  /// What it runs (version, threads, BLAS), from its READY line.
  private(set) var details = ""
  /// J at the start point, from its READY line.
  private(set) var J = Double.nan
  private let process = Process()
  private let input = Pipe()
  private let output = Pipe()
  private let errorFile: String
  private var buffer = Data()
  private let commandFiles: String?
  private var commandsSent = 0

  /// Starts `program arguments`; `ready()` waits for it.
  init?(
    name: String, program: String, arguments: [String], directory: String, commandFiles: String? = nil,
    problem: inout String?
  ) {
    self.name = name
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

/// The Python implementations: NumPy (the vectorised code as a NumPy user
/// writes it), PyTorch with a hand-written backward pass and with autograd,
/// and JAX's jit of value_and_grad; all in float64, the same network and
/// the same formulas (sigmoid, the course's cross-entropy, regularisation
/// leaving the bias columns out), with the gradient unrolled column-major
/// as the course's `[Theta1_grad(:); Theta2_grad(:)]`. `peak` measures
/// NumPy's square matrix product instead.
let pythonServerScript = #"""
  import sys, time, os, glob

  def reply(*words):
      print(*words, flush=True)

  def numpy_blas():
      import numpy as np, ctypes
      try:
          lib = ctypes.CDLL(glob.glob(os.path.dirname(np.__file__) + '.libs/libscipy_openblas64_*')[0])
          corename = lib.scipy_openblas_get_corename64_
          corename.restype = ctypes.c_char_p
          return 'OpenBLAS %s, kernel %s' % (
              np.show_config(mode='dicts')['Build Dependencies']['blas']['version'], corename().decode())
      except Exception:
          return 'BLAS ' + str(np.show_config(mode='dicts')['Build Dependencies']['blas'].get('name'))

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

  kind, d = sys.argv[1], sys.argv[2]
  m, n, h, K = (int(v) for v in sys.argv[3:7])
  lam = float(sys.argv[7])
  import numpy as np
  X = np.fromfile(d + '/X.bin', dtype=np.float64).reshape((m, n), order='F')
  y = np.fromfile(d + '/y.bin', dtype=np.float64).astype(int)
  p0 = np.fromfile(d + '/p.bin', dtype=np.float64)
  Y = (np.arange(1, K + 1)[None, :] == y[:, None]).astype(np.float64)
  what = ''

  if kind == 'numpy':
      what = 'NumPy %s (%s)' % (np.__version__, numpy_blas())
      def evaluate(p):
          theta1 = p[:h * (n + 1)].reshape((h, n + 1), order='F')
          theta2 = p[h * (n + 1):].reshape((K, h + 1), order='F')
          a1 = np.hstack([np.ones((m, 1)), X])
          g2 = 1.0 / (1.0 + np.exp(-(a1 @ theta1.T)))
          a2 = np.hstack([np.ones((m, 1)), g2])
          a3 = 1.0 / (1.0 + np.exp(-(a2 @ theta2.T)))
          penalty = np.sum(theta1[:, 1:] ** 2) + np.sum(theta2[:, 1:] ** 2)
          J = -np.sum(Y * np.log(a3) + (1 - Y) * np.log(1 - a3)) / m + lam / (2 * m) * penalty
          delta3 = a3 - Y
          delta2 = (delta3 @ theta2[:, 1:]) * (g2 * (1 - g2))
          grad1 = delta2.T @ a1 / m
          grad2 = delta3.T @ a2 / m
          grad1[:, 1:] += lam / m * theta1[:, 1:]
          grad2[:, 1:] += lam / m * theta2[:, 1:]
          return float(J), np.concatenate([grad1.ravel(order='F'), grad2.ravel(order='F')])
      p = p0

  elif kind in ('torch', 'torch-autograd'):
      try:
          import torch
      except Exception as error:
          reply('UNAVAILABLE', 'PyTorch does not import:', repr(error)[:200])
          sys.exit(0)
      Xt = torch.from_numpy(np.ascontiguousarray(X))
      Yt = torch.from_numpy(Y)
      ones = torch.ones((m, 1), dtype=torch.float64)
      def forward(p):
          # p holds Theta1 (h × (n+1)) then Theta2 (K × (h+1)), each column-major.
          theta1 = p[:h * (n + 1)].reshape(n + 1, h).T
          theta2 = p[h * (n + 1):].reshape(h + 1, K).T
          a1 = torch.cat([ones, Xt], 1)
          g2 = torch.sigmoid(a1 @ theta1.T)
          a2 = torch.cat([ones, g2], 1)
          a3 = torch.sigmoid(a2 @ theta2.T)
          penalty = (theta1[:, 1:] ** 2).sum() + (theta2[:, 1:] ** 2).sum()
          J = -(Yt * torch.log(a3) + (1 - Yt) * torch.log(1 - a3)).sum() / m + lam / (2 * m) * penalty
          return J, theta1, theta2, a1, g2, a2, a3
      if kind == 'torch':
          def evaluate_torch(p):
              with torch.no_grad():
                  J, theta1, theta2, a1, g2, a2, a3 = forward(p)
                  delta3 = a3 - Yt
                  delta2 = (delta3 @ theta2[:, 1:]) * (g2 * (1 - g2))
                  grad1 = delta2.T @ a1 / m
                  grad2 = delta3.T @ a2 / m
                  grad1[:, 1:] += lam / m * theta1[:, 1:]
                  grad2[:, 1:] += lam / m * theta2[:, 1:]
                  return float(J), torch.cat([grad1.T.reshape(-1), grad2.T.reshape(-1)])
          p = torch.from_numpy(p0.copy())
      else:
          def evaluate_torch(p):
              p = p.detach().requires_grad_(True)
              J = forward(p)[0]
              J.backward()
              return float(J.detach()), p.grad
          p = torch.from_numpy(p0.copy())
      # The faster of 1 thread and all cores, as a user tuning it would choose.
      timings = {}
      for threads in sorted({1, torch.get_num_threads()}):
          torch.set_num_threads(threads)
          evaluate_torch(p)
          start = time.perf_counter()
          for _ in range(3):
              evaluate_torch(p)
          timings[threads] = time.perf_counter() - start
      threads = min(timings, key=timings.get)
      torch.set_num_threads(threads)
      evaluate = evaluate_torch
      what = 'PyTorch %s, %s, %d thread%s (the faster of %s)' % (
          torch.__version__, 'hand-written backward' if kind == 'torch' else 'autograd', threads,
          '' if threads == 1 else 's', ' and '.join(str(t) for t in sorted(timings)))

  elif kind == 'jax':
      try:
          import jax
          jax.config.update('jax_enable_x64', True)
          import jax.numpy as jnp
      except Exception as error:
          reply('UNAVAILABLE', 'JAX does not import:', repr(error)[:200])
          sys.exit(0)
      Xj = jnp.asarray(X)
      Yj = jnp.asarray(Y)
      def cost(p):
          theta1 = p[:h * (n + 1)].reshape((n + 1, h)).T
          theta2 = p[h * (n + 1):].reshape((h + 1, K)).T
          a1 = jnp.hstack([jnp.ones((m, 1)), Xj])
          g2 = jax.nn.sigmoid(a1 @ theta1.T)
          a2 = jnp.hstack([jnp.ones((m, 1)), g2])
          a3 = jax.nn.sigmoid(a2 @ theta2.T)
          penalty = jnp.sum(theta1[:, 1:] ** 2) + jnp.sum(theta2[:, 1:] ** 2)
          return -jnp.sum(Yj * jnp.log(a3) + (1 - Yj) * jnp.log(1 - a3)) / m + lam / (2 * m) * penalty
      value_and_grad = jax.jit(jax.value_and_grad(cost))
      def evaluate(p):
          J, g = value_and_grad(p)
          g.block_until_ready()
          return float(J), g
      p = jnp.asarray(p0)
      what = 'JAX %s, jit(value_and_grad), %s' % (jax.__version__, jax.devices()[0].platform)
      assert p.dtype == jnp.float64

  J, _ = evaluate(p)
  J, _ = evaluate(p)
  reply('READY', repr(J), what)
  for line in sys.stdin:
      words = line.split()
      if not words or words[0] == 'quit':
          break
      count = int(words[1])
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
  printf('READY %.17g Octave %s (fixtures/nn/nnCostFunction.m)\\n', J, version()); fflush(stdout);
  % Commands arrive as files command-1, command-2, … (see ForeignServer).
  k = 1;
  while true
    command = sprintf('\(directory)/command-%d', k);
    % fopen, not exist(): exist() can answer from a stale listing of the folder.
    % It stops when the benchmark is gone (killed before it could say quit).
    f = fopen(command);
    while f < 0
      if getppid() ~= \(getpid())
        exit(1);
      end
      pause(0.001);
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
