import Foundation
import NeuralNetworkLearning
import ExerciseSupport

/// Another implementation's time for one cost+gradient evaluation on the
/// same data, and the cost it computed (to check it did the same thing).
struct ForeignTiming {
  let name: String
  let J: Double
  let times: Summary
}

/// Runs `program arguments` and returns its standard output, or nil with a
/// reason when it cannot be run or fails.
func run(_ program: String, _ arguments: [String]) -> (output: String?, problem: String?) {
  guard let path = findExecutable(program) else { return (nil, "\(program) is not on PATH") }
  let process = Process()
  process.executableURL = URL(fileURLWithPath: path)
  process.arguments = arguments
  let output = Pipe()
  let errors = Pipe()
  process.standardOutput = output
  process.standardError = errors
  do { try process.run() } catch { return (nil, "could not start \(program): \(error)") }
  let data = output.fileHandleForReading.readDataToEndOfFile()
  let errorData = errors.fileHandleForReading.readDataToEndOfFile()
  process.waitUntilExit()
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
/// Octave and NumPy to read: X.bin, y.bin, p.bin in `directory`.
func writeRaw(_ workload: Workload, parameters: Matrix, to directory: String) throws {
  for (name, matrix) in [("X", workload.X), ("y", workload.y), ("p", parameters)] {
    let data = matrix.withUnsafeBufferPointer { Data(buffer: $0) }
    try data.write(to: URL(fileURLWithPath: "\(directory)/\(name).bin"))
  }
}

/// Parses "J median min max" (seconds) printed by a timing script.
private func parseTiming(_ name: String, _ output: String) -> ForeignTiming? {
  guard let line = output.split(separator: "\n").last(where: { $0.hasPrefix("RESULT") }) else { return nil }
  let numbers = line.split(separator: " ").dropFirst().compactMap { Double($0) }
  guard numbers.count == 4 else { return nil }
  return ForeignTiming(
    name: name, J: numbers[0],
    times: Summary([numbers[1], numbers[2], numbers[3]]))
}

/// Octave timing the project's reference `fixtures/nn/nnCostFunction.m`
/// (the course's vectorised cost and gradient) on the same data.
func octaveTiming(_ workload: Workload, directory: String, repeats: Int, lambda: Double) -> (ForeignTiming?, String?) {
  let script = """
    addpath('\(packageRoot)/fixtures/nn');
    m = \(workload.m); n = \(workload.n); h = \(workload.hiddenLayerSize); K = \(workload.numLabels);
    f = fopen('\(directory)/X.bin'); X = reshape(fread(f, m * n, 'double'), m, n); fclose(f);
    f = fopen('\(directory)/y.bin'); y = fread(f, m, 'double'); fclose(f);
    f = fopen('\(directory)/p.bin'); p = fread(f, Inf, 'double'); fclose(f);
    [J, g] = nnCostFunction(p, n, h, K, X, y, \(lambda));
    t = zeros(\(repeats), 1);
    for r = 1:\(repeats)
      tic; [J, g] = nnCostFunction(p, n, h, K, X, y, \(lambda)); t(r) = toc;
    end
    printf('RESULT %.17g %.9g %.9g %.9g\\n', J, median(t), min(t), max(t));
    """
  let path = "\(directory)/octave_timing.m"
  do { try script.write(toFile: path, atomically: true, encoding: .utf8) } catch { return (nil, "\(error)") }
  let (output, problem) = run("octave", ["--no-gui", "--norc", "-q", path])
  guard let output else { return (nil, problem) }
  guard let timing = parseTiming("Octave", output) else { return (nil, "unexpected Octave output: \(output)") }
  return (timing, nil)
}

/// NumPy timing the same vectorised cost and gradient, written here in NumPy.
func numpyTiming(_ workload: Workload, directory: String, repeats: Int, lambda: Double) -> (ForeignTiming?, String?) {
  let script = """
    import time
    import numpy as np

    def nn_cost_function(p, n, h, K, X, Y, lam):
        m = X.shape[0]
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
        return J, np.concatenate([grad1.ravel(order='F'), grad2.ravel(order='F')])

    m, n, h, K = \(workload.m), \(workload.n), \(workload.hiddenLayerSize), \(workload.numLabels)
    d = '\(directory)'
    X = np.fromfile(d + '/X.bin', dtype=np.float64).reshape((m, n), order='F')
    y = np.fromfile(d + '/y.bin', dtype=np.float64).astype(int)
    p = np.fromfile(d + '/p.bin', dtype=np.float64)
    Y = (np.arange(1, K + 1)[None, :] == y[:, None]).astype(np.float64)
    J, g = nn_cost_function(p, n, h, K, X, Y, \(lambda))
    t = []
    for r in range(\(repeats)):
        start = time.perf_counter()
        J, g = nn_cost_function(p, n, h, K, X, Y, \(lambda))
        t.append(time.perf_counter() - start)
    print('RESULT %.17g %.9g %.9g %.9g' % (J, float(np.median(t)), min(t), max(t)))
    """
  let path = "\(directory)/numpy_timing.py"
  do { try script.write(toFile: path, atomically: true, encoding: .utf8) } catch { return (nil, "\(error)") }
  let (output, problem) = run("python3", [path])
  guard let output else { return (nil, problem) }
  guard let timing = parseTiming("NumPy", output) else { return (nil, "unexpected NumPy output: \(output)") }
  return (timing, nil)
}

/// The package's root folder, found from this source file's place in it.
let packageRoot = URL(fileURLWithPath: #filePath)
  .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent().path
