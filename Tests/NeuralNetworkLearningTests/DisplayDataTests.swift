import Foundation
import Testing

@testable import NeuralNetworkLearning
import TestSupport

/// Checks `displayData` against the layout of the course's `displayData.m`.
@Suite struct DisplayDataTests {
  /// m examples of n values that are all different and of both signs.
  func examples(_ m: Int, _ n: Int) -> Matrix {
    Matrix(rows: m, columns: n, values: (1...(m * n)).map { sin(Double($0)) * Double($0 % 7 + 1) })
  }

  @Test func oneExampleByHand() {
    // reshape([1 2 3 4], 2, 2) is [1 3; 2 4]; divided by 4, padded with −1.
    let array = displayData(Matrix([[1, 2, 3, 4]]), exampleWidth: 2)
    let expected = Matrix([
      [-1, -1, -1, -1],
      [-1, 0.25, 0.75, -1],
      [-1, 0.5, 1, -1],
      [-1, -1, -1, -1],
    ])
    #expect(array == expected)
  }

  @Test func dividesByTheLargestAbsoluteValueEvenWhenNegative() {
    // The tile is [2; -8; 4] / 8: the −8 becomes −1.
    let array = displayData(Matrix([[2, -8, 4]]), exampleWidth: 1)
    #expect(array == Matrix([[-1, -1, -1], [-1, 0.25, -1], [-1, -1, -1], [-1, 0.5, -1], [-1, -1, -1]]))
  }

  /// Every tile is its example reshaped column-major and divided by its own
  /// max |value|, tiles filled along the rows of the grid first; everything
  /// else is −1. Tiles 4 high and 3 wide, so a transposed tile cannot pass.
  @Test(arguments: [1, 2, 3, 7, 10, 12, 13])
  func tilesAndPadding(m: Int) {
    let X = examples(m, 12)
    let array = displayData(X, exampleWidth: 3)
    let (height, width) = (4, 3)
    let gridRows = Int(Double(m).squareRoot().rounded(.down))
    let gridColumns = Int((Double(m) / Double(gridRows)).rounded(.up))
    #expect(array.rows == 1 + gridRows * (height + 1))
    #expect(array.columns == 1 + gridColumns * (width + 1))

    var inTile = Matrix.zeros(array.rows, array.columns)
    for k in 1...m {
      let (j, i) = ((k - 1) / gridColumns + 1, (k - 1) % gridColumns + 1)
      let example = X.row(k)
      let maxValue = example.values.map(abs).max()!
      let tile = reshape(example.values, height, width) / maxValue
      for c in 1...width {
        for r in 1...height {
          let (row, column) = (1 + (j - 1) * (height + 1) + r, 1 + (i - 1) * (width + 1) + c)
          #expect(array[row, column] == tile[r, c], "example \(k), pixel (\(r), \(c))")
          inTile[row, column] = 1
        }
      }
    }
    for k in 1...array.count where inTile[k] == 0 {
      #expect(array[k] == -1, "element \(k) outside the tiles")
    }
  }

  @Test func sizes() {
    #expect(displayData(examples(100, 400)).shape == "211×211")
    // The 25 hidden units of Theta1(:, 2:end): a 5×5 grid of 20×20 tiles.
    #expect(displayData(examples(25, 400)).shape == "106×106")
    // 10 examples: 3 rows of 4 columns, the last two tiles empty.
    #expect(displayData(examples(10, 400)).shape == "64×85")
    #expect(displayData(examples(1, 400)).shape == "22×22")
    // Width given: 8 examples of 2×5 in 2 rows of 4.
    #expect(displayData(examples(8, 10), exampleWidth: 5).shape == "7×25")
  }

  @Test func zeroExampleIsAZeroTile() {
    let array = displayData(Matrix.zeros(1, 4))
    #expect(array == Matrix([[-1, -1, -1, -1], [-1, 0, 0, -1], [-1, 0, 0, -1], [-1, -1, -1, -1]]))
  }

  /// With the course's digits, the first tile is the first image: pixel
  /// (r, c) is X(1, r + 20·(c − 1)) divided by the image's largest value.
  @Test(
    .enabled(if: CourseFile.has("ex4data1-8bit.mat"), CourseFile.missing("ex4data1-8bit.mat")))
  func courseDigitsLandColumnMajor() throws {
    let X = try MatFile.read(CourseFile.path("ex4data1-8bit.mat"), variable: "X")[rows: [1, 2]]
    let array = displayData(X)
    let largest = X.row(1).values.max()!
    for c in 1...20 {
      for r in 1...20 {
        #expect(array[1 + r, 1 + c] == X[1, r + 20 * (c - 1)] / largest)
      }
    }
  }
}
