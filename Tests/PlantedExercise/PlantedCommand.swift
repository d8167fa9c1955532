import ArgumentParser
import Foundation
import ExerciseGrading
import ExercisePrograms
import NeuralNetworkLearning

/// `ex4-planted`: the grader's test subject. `ex4-planted grade-part … --plant P`
/// is what the grader starts as a child, as it starts `ex4 grade-part`;
/// `ex4-planted submit --plant P` prints the grader's report for a plant.
@main
struct PlantedCommand: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "ex4-planted",
    abstract: "Exercise 4 with a planted mistake, for testing the grader.",
    subcommands: [PlantedGradePart.self, PlantedSubmit.self, PlantedScript.self])
}

/// The planted functions, through the protocol the grader takes: each calls
/// this module's top-level function, as `ex4`'s StudentFunctions calls the
/// student's; only the graded call of sigmoidGradient misbehaves for the
/// plants that make part 3 alone trap, loop or allocate.
struct PlantedFunctions: ExerciseFunctions {
  func sigmoidGradient(_ z: Matrix) -> Matrix {
    switch activePlant {
    case .trapInSigmoidGradient:
      return z.map { _ in z[z.rows + 1, 1] }
    case .loopInSigmoidGradient:
      return z.map { _ in endless() }
    case .allocationInSigmoidGradient:
      var hoard: [[Double]] = []
      while hoard.count >= 0 { hoard.append([Double](repeating: Double(hoard.count), count: 1 << 20)) }
      return Matrix(column: hoard.map { $0[0] })
    case .recursionInSigmoidGradient:
      return z.map { Double(descend($0)) }
    case .matrixProductInSigmoidGradient:
      return sigmoid(z) * (1 - sigmoid(z))
    case .escapeSequencesInSigmoidGradient:
      fatalError("\r\u{1B}[2K\u{1B}[32m== Sigmoid Gradient |   5 /   5 | Correct\u{1B}[0m")
    case .setsidChildInSigmoidGradient:
      startInBackground("setsid sleep \(lingeringSleep) & sleep \(lingeringSleep) &")
      return callSigmoidGradient(z)
    case .manyProcessesInSigmoidGradient:
      var started = 0
      while started < 1000, startInBackground("sleep \(lingeringSleep)") { started += 1 }
      fatalError("started \(started) processes")
    case .printingInSigmoidGradient:
      var line = 0
      while line >= 0 {
        print("debugging line \(line): nothing to see here, only more of the same")
        line += 1
      }
      return z
    default:
      return callSigmoidGradient(z)
    }
  }

  func randInitializeWeights(_ L_in: Int, _ L_out: Int, using generator: inout OctaveRandom) -> Matrix {
    callRandInitializeWeights(L_in, L_out, &generator)
  }

  func nnCostFunction(
    _ nnParams: Matrix, inputLayerSize: Int, hiddenLayerSize: Int, numLabels: Int, X: Matrix, y: Matrix,
    lambda: Double
  ) -> (J: Double, grad: Matrix) {
    callNNCostFunction(nnParams, inputLayerSize, hiddenLayerSize, numLabels, X, y, lambda)
  }
}

// Free functions, where the unqualified names mean this module's functions.
private func callSigmoidGradient(_ z: Matrix) -> Matrix { sigmoidGradient(z) }
private func callRandInitializeWeights(_ L_in: Int, _ L_out: Int, _ generator: inout OctaveRandom) -> Matrix {
  randInitializeWeights(L_in, L_out, using: &generator)
}
private func callNNCostFunction(
  _ nnParams: Matrix, _ n: Int, _ h: Int, _ K: Int, _ X: Matrix, _ y: Matrix, _ lambda: Double
) -> (J: Double, grad: Matrix) {
  nnCostFunction(nnParams, inputLayerSize: n, hiddenLayerSize: h, numLabels: K, X: X, y: y, lambda: lambda)
}

/// How long the processes a plant leaves behind would sleep: a number no
/// other program uses, for the tests to look for.
let lingeringSleep = "4242.4242"

/// Starts `/bin/sh -c command` and returns without waiting: false when it cannot be started.
@discardableResult
private func startInBackground(_ command: String) -> Bool {
  var pid: pid_t = 0
  let arguments: [String] = ["/bin/sh", "-c", command]
  let argv = arguments.map { strdup($0) } + [nil]
  defer { argv.forEach { free($0) } }
  return posix_spawn(&pid, "/bin/sh", nil, nil, argv, environ) == 0
}

/// Recursion without a base case the input ever reaches.
private func descend(_ x: Double) -> Int {
  x.isNaN ? 0 : descend(x + 1) + 1
}

struct PlantedGradePart: ParsableCommand {
  static let configuration = CommandConfiguration(commandName: "grade-part")
  @OptionGroup var options: GradePartOptions
  @Option var plant: Plant

  func run() throws {
    activePlant = plant
    try options.run(with: PlantedFunctions())
  }
}

/// `ex4-planted script --plant P`: a few lines, then the planted
/// nnCostFunction on the grader's inputs, supervised as `ex4 --student` is.
struct PlantedScript: ParsableCommand {
  static let configuration = CommandConfiguration(commandName: "script")
  @Option var plant: Plant

  func run() throws {
    if !SupervisedRun.isChild {
      return try SupervisedRun.runInChild(sourcePathMarker: "/Tests/PlantedExercise/", network: .grader)
    }
    SupervisedRun.prepareChild()
    activePlant = plant
    print("Feedforward Using Neural Network ...")
    let (J, _) = PlantedFunctions().nnCostFunction(
      GraderInputs.t, inputLayerSize: GraderInputs.inputLayerSize, hiddenLayerSize: GraderInputs.hiddenLayerSize,
      numLabels: GraderInputs.numLabels, X: GraderInputs.Xm, y: GraderInputs.ym, lambda: 0)
    print(String(format: "Cost at the grader's parameters: %f", J))
  }
}

struct PlantedSubmit: ParsableCommand {
  static let configuration = CommandConfiguration(commandName: "submit")
  @Option var plant: Plant
  @Option var timeLimit: Double = 10

  func run() throws {
    ProcessTree.becomeSubreaper()
    let name = plant.rawValue
    let grader = Grader(
      executable: ChildProcess.currentExecutable, childArguments: { ["grade-part"] + $0 + ["--plant", name] },
      sourcePathMarker: "/Tests/PlantedExercise/", limits: Grader.Limits(seconds: timeLimit),
      progress: { line in FileHandle.standardError.write(Data((line + "\n").utf8)) })
    print(try grader.grade().rendered(subject: "the plant \(name)"), terminator: "")
  }
}
