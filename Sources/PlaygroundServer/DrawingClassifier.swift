import DigitPhotos
import Foundation
import NeuralNetworkLearning
import Pictures

/// A digit drawn on the page or dropped on it as a photo, read with exactly
/// `ex4 classify`'s preprocessing (``DigitImage``) and put through the
/// network: its guess, its ten outputs and its first hidden layer's
/// activations.
package enum DrawingClassifier {
  /// The largest drawing message, in bytes.
  package static let largestDrawingMessage = 64 * 1024
  /// The largest photo file accepted, in bytes (its pixels are limited as
  /// `ex4 classify` limits them, by ``PGMImage/maximumPixels``).
  package static let largestPhoto = 32 * 1024 * 1024
  /// The largest side of a drawing's grey picture.
  package static let largestDrawingSide = 400

  /// A drawing sent over the WebSocket: `width` × `height` grey levels
  /// (0 black … 255 white), row after row, in base 64.
  package static func grey(width: Int, height: Int, base64: String) throws(DrawingError) -> Matrix {
    guard (1...largestDrawingSide).contains(width) && (1...largestDrawingSide).contains(height) else {
      throw DrawingError("a drawing is 1 to \(largestDrawingSide) pixels a side, got \(width)×\(height)")
    }
    guard let data = Data(base64Encoded: base64), data.count == width * height else {
      throw DrawingError("a drawing of \(width)×\(height) needs \(width * height) grey levels in base 64")
    }
    var values = [Double](repeating: 0, count: data.count)
    let bytes = [UInt8](data)
    for i in 0..<height {
      for j in 0..<width { values[i + j * height] = Double(bytes[i * width + j]) }
    }
    return Matrix(rows: height, columns: width, values: values)
  }

  /// What the network sees in `digit`: `classify`'s guesses and, layer by
  /// layer (`a = sigmoid([1 a] * Theta')`), the first hidden layer's
  /// activations and the outputs.
  package static func answer(_ digit: DigitImage, Thetas: [Matrix]) -> [String: Any] {
    let guesses = digitGuesses(Thetas, digit.features)[0]
    var a = digit.features
    var hidden: [Double] = []
    for (l, Theta) in Thetas.enumerated() {
      a = sigmoid(a.prependingOnes() * Theta.transposed())
      if l == 0 { hidden = a.values }
    }
    // Outputs and confidences by digit 0…9 (label 10 is the digit 0).
    let outputs = (0..<10).map { d in a.values[d == 0 ? 9 : d - 1] }
    var confidences = [Double](repeating: 0, count: 10)
    for guess in guesses { confidences[guess.digit] = guess.confidence }
    return [
      "digit": guesses[0].digit, "confidence": guesses[0].confidence, "outputs": outputs.map { jsonNumber($0) },
      "confidences": confidences, "hidden": hidden.map { jsonNumber($0) },
      "input": Outgoing.picture(displayData(digit.features)),
      "warnings": photoWarnings(digit, guesses),
    ]
  }
}

/// A drawing or photo the server cannot read, with what is wrong.
package struct DrawingError: Error, CustomStringConvertible {
  package let description: String
  package init(_ description: String) { self.description = description }
}
