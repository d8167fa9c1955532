import ArgumentParser
import ExerciseData
import ExercisePrograms
import Foundation
import NeuralNetworkLearning

extension GradingTask: ExpressibleByArgument {}

/// The child's side of grading: the arguments the grader starts a child
/// process with (`… grade-part <task> --result <file> --cpu-seconds <n>
/// --memory-megabytes <n>`), and running the one task they name.
///
/// A program that grades (`ex4`, and the tests' `ex4-planted`) has a hidden
/// subcommand with these options that calls ``run(with:)`` with the
/// functions to grade.
package struct GradePartOptions: ParsableArguments {
  @Argument(help: "The task to run.")
  package var task: GradingTask

  @Option(help: "Where to write the task's output.")
  package var result: String

  @Option(help: "Seconds of processor time allowed.")
  package var cpuSeconds: Int = 20

  @Option(help: "Megabytes of address space allowed.")
  package var memoryMegabytes: Int = 1024

  package init() {}

  /// The arguments that make a child run `task` and write to `result`.
  package static func arguments(
    task: GradingTask, result: String, cpuSeconds: Int, memoryMegabytes: Int
  ) -> [String] {
    [
      task.rawValue, "--result", result, "--cpu-seconds", String(cpuSeconds), "--memory-megabytes",
      String(memoryMegabytes),
    ]
  }

  /// Limits this process, runs the task with `functions` and writes its
  /// output to the result file. A trap, a loop or an allocation without end
  /// in `functions` ends this process instead; the grader sees that.
  package func run(with functions: some ExerciseFunctions) throws {
    // Opened before the limits, which may change the user this process runs as.
    guard let file = FileHandle(forWritingAtPath: result) ?? createResult() else {
      throw InputError("\(result): cannot write the task's result (\(String(cString: strerror(errno))))")
    }
    ProcessLimits.apply(cpuSeconds: cpuSeconds, memoryMegabytes: memoryMegabytes)
    let output = Self.perform(task, with: functions)
    do {
      try file.truncate(atOffset: 0)
      try file.write(contentsOf: Data(output.encoded.utf8))
      try file.close()
    } catch {
      throw InputError("\(result): cannot write the task's result (\(error.localizedDescription))")
    }
  }

  private func createResult() -> FileHandle? {
    FileManager.default.createFile(atPath: result, contents: nil, attributes: [.posixPermissions: 0o600])
      ? FileHandle(forWritingAtPath: result) : nil
  }

  /// Calls the student's functions as the task asks, on the grader's inputs.
  package static func perform(_ task: GradingTask, with functions: some ExerciseFunctions) -> TaskOutput {
    switch task {
    case .sigmoidGradient:
      return TaskOutput(matrices: [functions.sigmoidGradient(GraderInputs.X)])
    case .randomInitialisation:
      // The course's two layers from one stream, the first layer twice (two
      // calls must differ), and the first layer again from a fresh stream
      // with the same seed (it must repeat).
      let (first, second) = (GraderInputs.initialisationLayers[0], GraderInputs.initialisationLayers[1])
      var generator = OctaveRandom(seed: GraderInputs.initialisationSeed)
      let W1 = functions.randInitializeWeights(first.L_in, first.L_out, using: &generator)
      let W1again = functions.randInitializeWeights(first.L_in, first.L_out, using: &generator)
      let W2 = functions.randInitializeWeights(second.L_in, second.L_out, using: &generator)
      var sameSeed = OctaveRandom(seed: GraderInputs.initialisationSeed)
      let W1repeated = functions.randInitializeWeights(first.L_in, first.L_out, using: &sameSeed)
      return TaskOutput(matrices: [W1, W1again, W2, W1repeated])
    default:
      let part = task.part!
      let (J, grad) = functions.nnCostFunction(
        GraderInputs.t, inputLayerSize: GraderInputs.inputLayerSize, hiddenLayerSize: GraderInputs.hiddenLayerSize,
        numLabels: GraderInputs.numLabels, X: GraderInputs.Xm, y: GraderInputs.ym, lambda: part.lambda!)
      return TaskOutput(J: J, matrices: [grad])
    }
  }
}

/// Limits on the process that runs a student's code.
package enum ProcessLimits {
  /// The tasks (processes and threads) a part may start beyond those its
  /// user runs when it starts: room for the runtime's threads and the
  /// backtracer, while a fork bomb stops there.
  package static let extraTasks = 256
  /// The user a part runs as when the grader runs as root: `nobody`.
  package static let unprivilegedUser: uid_t = 65534

  /// Processor time (`RLIMIT_CPU`: SIGXCPU, then SIGKILL), address space
  /// (`RLIMIT_AS`: allocations beyond it fail, which Swift turns into a
  /// fatal error), 64 MB a file (`RLIMIT_FSIZE`: printing without end fills
  /// no disk), no core files, and processes (`RLIMIT_NPROC`: the user's
  /// tasks now plus ``extraTasks``).
  ///
  /// The kernel never applies `RLIMIT_NPROC` to root, so a part started by
  /// root first becomes `nobody` (group and supplementary groups too), which
  /// also keeps the student's code from root's files; cgroups would need a
  /// delegated hierarchy that a student's machine does not have. (The
  /// runtime's backtracer then runs as `nobody` too and reads the program
  /// for a crash's file and line: in a folder only root may enter it cannot;
  /// see ``rootCannotShowLines``.)
  package static func apply(cpuSeconds: Int, memoryMegabytes: Int) {
    if getuid() == 0 {
      _ = setgroups(0, nil)
      _ = setgid(gid_t(unprivilegedUser))
      _ = setuid(unprivilegedUser)
      ProcessTree.makeDumpable()
    }
    set(__RLIMIT_NPROC, rlim_t(ProcessTree.tasks(ofUser: getuid()) + extraTasks))
    set(RLIMIT_CPU, rlim_t(max(cpuSeconds, 1)))
    set(RLIMIT_AS, rlim_t(max(memoryMegabytes, 64)) << 20)
    set(RLIMIT_FSIZE, 64 << 20)
    set(RLIMIT_CORE, 0)
  }

  /// What `ex4 submit` says first when it runs as root and `nobody`, whom
  /// the parts run as, cannot read the program (a clone in a folder only
  /// root may enter): a crash's file and line would be missing. Nil otherwise.
  package static var rootCannotShowLines: String? {
    let program = ChildProcess.currentExecutable
    guard getuid() == 0, !othersCanRead(program) else { return nil }
    return "note: as root, each part runs as nobody, who cannot read \(printable(program)); "
      + "a crash's file and line will be missing (clone into a folder others may enter, or run as yourself)"
  }

  /// Whether a user who is neither `path`'s owner nor in its group may read
  /// it: every folder on the way searchable by others, the file readable.
  package static func othersCanRead(_ path: String) -> Bool {
    var info = stat()
    guard stat(path, &info) == 0, info.st_mode & S_IROTH != 0 else { return false }
    var folder = URL(fileURLWithPath: path).deletingLastPathComponent()
    while true {
      guard stat(folder.path, &info) == 0, info.st_mode & S_IXOTH != 0 else { return false }
      if folder.path == "/" { return true }
      folder.deleteLastPathComponent()
    }
  }

  private static func set(_ resource: __rlimit_resource, _ value: rlim_t) {
    var limit = rlimit(rlim_cur: value, rlim_max: value)
    _ = setrlimit(__rlimit_resource_t(resource.rawValue), &limit)
  }
}
