import Testing

@testable import NeuralNetworkLearning
import TestSupport

/// The library's contract for shapes that do not fit: a course function given
/// sizes that disagree stops the program (a precondition, like Octave's
/// "nonconformant arguments" error) with a message naming the shapes. The
/// exercise programs check their inputs before calling, so a student sees a
/// one-line error from them, never one of these stops.
///
/// Each case runs in a child process (Swift Testing's exit tests) and must
/// end in failure; in a debug build, where Swift prints a precondition's
/// message, the message is checked too.
@Suite struct ShapeContractTests {
  /// Checks that the stop printed every fragment (debug builds only: a
  /// release build stops without the message).
  func expectMessage(
    _ result: ExitTest.Result?, _ fragments: [String], sourceLocation: SourceLocation = #_sourceLocation
  ) {
    #if DEBUG
      let text = String(decoding: result?.standardErrorContent ?? [], as: UTF8.self)
      for fragment in fragments {
        #expect(text.contains(fragment), "'\(fragment)' not in: \(text)", sourceLocation: sourceLocation)
      }
    #endif
  }

  // MARK: The cost functions, predict and the optimisers

  /// One cost-function call whose shapes do not fit, and the stop's message:
  /// `nnCostFunction` for 2 inputs, 2 hidden units and 2 labels (Theta1 2×3,
  /// Theta2 2×3), or `nnCostFunctionLinear` for 1 input and 2 hidden units
  /// (Theta1 2×2, Theta2 1×3).
  struct CostCall: Codable, Sendable, CustomTestStringConvertible {
    var linear = false
    var nnParams: [Int]
    var X: [Int]
    var y: [Double]
    /// y's shape, when it is not a column of `y`'s values (then all zeros).
    var yShape: [Int]? = nil
    /// An entry of y made NaN in the call (the arguments travel to the exit
    /// test's process as JSON, which has no NaN).
    var notANumberAt: Int? = nil
    var message: String

    var testDescription: String { message }

    func call() {
      let nnParams = Matrix.zeros(nnParams[0], nnParams[1])
      let X = Matrix.zeros(X[0], X[1])
      var values = y
      if let k = notANumberAt { values[k] = .nan }
      let y = yShape.map { Matrix.zeros($0[0], $0[1]) } ?? Matrix(column: values)
      if linear {
        _ = nnCostFunctionLinear(nnParams, inputLayerSize: 1, hiddenLayerSize: 2, X: X, y: y, lambda: 0)
      } else {
        _ = nnCostFunction(nnParams, inputLayerSize: 2, hiddenLayerSize: 2, numLabels: 2, X: X, y: y, lambda: 0)
      }
    }
  }

  static let costCalls = [
    CostCall(
      nnParams: [10, 1], X: [3, 2], y: [1, 2, 1],
      message: "The unrolled parameters have 10 elements but the shapes 2×3, 2×3 need 12"),
    CostCall(
      nnParams: [3, 4], X: [3, 2], y: [1, 2, 1],
      message: "nn_params must be a vector (the unrolled weights), not a 3×4 matrix"),
    CostCall(
      nnParams: [12, 1], X: [3, 5], y: [1, 2, 1],
      message: "X has 5 columns but the input layer has 2 units (Theta1 is 2×3)"),
    CostCall(
      nnParams: [12, 1], X: [3, 2], y: [1, 2, 1, 2],
      message: "y must be a vector with one entry per row of X (3), not a 4×1 matrix"),
    CostCall(nnParams: [12, 1], X: [3, 2], y: [1, 3, 1], message: "y(2) = 3.0 is not a label in 1…2"),
    CostCall(nnParams: [12, 1], X: [3, 2], y: [1, 1.5, 1], message: "y(2) = 1.5 is not a label in 1…2"),
    CostCall(
      nnParams: [12, 1], X: [3, 2], y: [1, 2, 1], notANumberAt: 2, message: "y(3) = nan is not a label in 1…2"),
    CostCall(nnParams: [12, 1], X: [3, 2], y: [0, 2, 1], message: "y(1) = 0.0 is not a label in 1…2"),
    CostCall(
      linear: true, nnParams: [7, 1], X: [4, 3], y: [], yShape: [4, 1],
      message: "X has 3 columns but the input layer has 1 unit (Theta1 is 2×2)"),
    CostCall(
      linear: true, nnParams: [7, 1], X: [4, 1], y: [], yShape: [1, 5],
      message: "y must be a vector with one entry per row of X (4), not a 1×5 matrix"),
  ]

  @Test("a cost function stops on shapes that do not fit, naming them", arguments: costCalls)
  func costFunctionWithShapesThatDoNotFit(_ call: CostCall) async {
    let result = await #expect(processExitsWith: .failure, observing: [\.standardErrorContent]) { [call] in
      call.call()
    }
    expectMessage(result, [call.message])
  }

  /// One `predict` or `predictLinear` call whose shapes do not fit, and the stop's message.
  struct PredictCall: Codable, Sendable, CustomTestStringConvertible {
    var linear = false
    var Theta1: [Int]
    var Theta2: [Int]
    var X: [Int]
    var message: String

    var testDescription: String { message }

    func call() {
      let (Theta1, Theta2, X) = (
        Matrix.zeros(Theta1[0], Theta1[1]), Matrix.zeros(Theta2[0], Theta2[1]), Matrix.zeros(X[0], X[1])
      )
      _ = linear ? predictLinear(Theta1, Theta2, X) : predict(Theta1, Theta2, X)
    }
  }

  static let predictCalls = [
    PredictCall(
      Theta1: [2, 3], Theta2: [2, 4], X: [3, 2],
      message: "Theta2 is 2×4 but Theta1 is 2×3: Theta2 needs 3 columns (2 units plus the bias)"),
    PredictCall(
      Theta1: [2, 3], Theta2: [2, 3], X: [3, 4],
      message: "X has 4 columns but the input layer has 2 units (Theta1 is 2×3)"),
    PredictCall(
      linear: true, Theta1: [2, 2], Theta2: [2, 3], X: [5, 1],
      message: "predictLinear: Theta2 is 2×3 but must be one row (one linear output)"),
  ]

  @Test("predict and predictLinear stop on shapes that do not fit, naming them", arguments: predictCalls)
  func predictWithShapesThatDoNotFit(_ call: PredictCall) async {
    let result = await #expect(processExitsWith: .failure, observing: [\.standardErrorContent]) { [call] in
      call.call()
    }
    expectMessage(result, [call.message])
  }

  @Test("an optimiser stops when the gradient has another size than the point", arguments: ["fmincg", "lbfgs"])
  func optimiserWithAGradientOfAnotherSize(_ name: String) async {
    let result = await #expect(processExitsWith: .failure, observing: [\.standardErrorContent]) { [name] in
      let f: (Matrix) -> (Double, Matrix) = { _ in (0, Matrix.zeros(2, 1)) }
      if name == "fmincg" {
        _ = fmincg(f, Matrix.zeros(3, 1), maxIter: 5, progress: .silent)
      } else {
        _ = lbfgs(f, Matrix.zeros(3, 1), maxIter: 5, progress: .silent)
      }
    }
    expectMessage(
      result,
      ["\(name): the cost function returned a gradient of 2×1 for a point of 3×1; they must have the same number"])
  }

  // MARK: The others

  @Test func displayDataWithNothingToShowOrAWidthThatDoesNotDivide() async {
    let empty = await #expect(processExitsWith: .failure, observing: [\.standardErrorContent]) {
      _ = displayData(Matrix.zeros(0, 4))
    }
    expectMessage(empty, ["displayData: X is empty (0×4)"])
    let ragged = await #expect(processExitsWith: .failure, observing: [\.standardErrorContent]) {
      _ = displayData(Matrix.zeros(2, 7))
    }
    expectMessage(ragged, ["displayData: example width 3 does not divide the 7 columns of X"])
  }

  @Test func initialisingWithNegativeSizes() async {
    let random = await #expect(processExitsWith: .failure, observing: [\.standardErrorContent]) {
      var generator = OctaveRandom(seed: 1)
      _ = randInitializeWeights(-1, 3, using: &generator)
    }
    expectMessage(random, ["randInitializeWeights: L_in and L_out must not be negative (got -1 and 3)"])
    let debug = await #expect(processExitsWith: .failure, observing: [\.standardErrorContent]) {
      _ = debugInitializeWeights(3, -2)
    }
    expectMessage(debug, ["debugInitializeWeights: fan_out and fan_in must not be negative (got 3 and -2)"])
  }

  @Test func matrixProductsAndElementwiseOperationsOfMismatchedShapes() async {
    let product = await #expect(processExitsWith: .failure, observing: [\.standardErrorContent]) {
      _ = Matrix.zeros(2, 3) * Matrix.zeros(2, 3)
    }
    expectMessage(product, ["operator *: nonconformant arguments (op1 is 2×3, op2 is 2×3)"])
    let sum = await #expect(processExitsWith: .failure, observing: [\.standardErrorContent]) {
      _ = Matrix.zeros(2, 3) + Matrix.zeros(3, 2)
    }
    expectMessage(sum, ["operator +: nonconformant arguments (op1 is 2×3, op2 is 3×2)"])
  }

  /// A range of elements or columns reaching outside stops with the Matrix
  /// message naming the index and the shape: what a student who writes the
  /// course's sizes into nnCostFunction sees when `ex4 submit` tries a
  /// smaller network.
  @Test func matrixRangesReachingOutside() async {
    let closed = await #expect(processExitsWith: .failure, observing: [\.standardErrorContent]) {
      _ = Matrix.zeros(32, 1)[1...10025]
    }
    expectMessage(closed, ["Matrix index 10025 out of bounds for a 32×1 matrix with 32 elements"])
    let from = await #expect(processExitsWith: .failure, observing: [\.standardErrorContent]) {
      _ = Matrix.zeros(32, 1)[10026...]
    }
    expectMessage(from, ["Matrix index 10026 out of bounds for a 32×1 matrix"])
    let columns = await #expect(processExitsWith: .failure, observing: [\.standardErrorContent]) {
      _ = Matrix.zeros(4, 3)[columns: 2...26]
    }
    expectMessage(columns, ["Matrix column 26 out of bounds for a 4×3 matrix"])
  }

  /// Ranges inside, empty ranges at the end, and partial ranges, as Octave's `v(a:b)` and `A(:, a:end)`.
  @Test func matrixRangesInside() {
    let v = Matrix(column: [1, 2, 3, 4, 5])
    #expect(v[2...4].values == [2, 3, 4])
    #expect(v[2..<4].values == [2, 3])
    #expect(v[4...].values == [4, 5])
    #expect(v[6...].values == [])
    #expect(v[...2].values == [1, 2])
    #expect(v[..<1].values == [])
    let A = Matrix([[1, 2, 3], [4, 5, 6]])
    #expect(A[columns: 2...] == Matrix([[2, 3], [5, 6]]))
    #expect(A[columns: 4...].columns == 0)
    #expect(A[columns: ...1] == Matrix([[1], [4]]))
  }

  /// What takes any shape: the elementwise functions.
  @Test func sigmoidAndItsGradientTakeAnyShape() {
    for (rows, columns) in [(0, 0), (1, 1), (3, 1), (1, 4), (2, 5)] {
      let z = Matrix(rows: rows, columns: columns, values: (0..<(rows * columns)).map { Double($0) - 2 })
      #expect(sigmoid(z).shape == z.shape)
      #expect(sigmoidGradient(z).shape == z.shape)
    }
  }
}
