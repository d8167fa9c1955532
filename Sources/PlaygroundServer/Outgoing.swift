import Foundation
import NeuralNetworkLearning

/// A message for the page: one JSON object with a `type`, made into text
/// where it is produced, so that only strings cross threads.
package struct Outgoing: Sendable {
  package let text: String

  package init(_ type: String, _ fields: [String: Any] = [:]) {
    var object = fields
    object["type"] = type
    let data = (try? JSONSerialization.data(withJSONObject: object, options: [.sortedKeys])) ?? Data("{}".utf8)
    text = String(decoding: data, as: UTF8.self)
  }

  /// `{"type": "error", "message": …}`: what the page shows when a request fails.
  package static func error(_ message: String) -> Outgoing { Outgoing("error", ["message": message]) }

  /// A picture for the page's canvas: its rows, columns and grey levels
  /// 0…255, row after row, from values in −1…1 (−1 black, as displayData's
  /// padding).
  package static func picture(_ image: Matrix) -> [String: Any] {
    var bytes = [UInt8](repeating: 0, count: image.count)
    for i in 0..<image.rows {
      for j in 0..<image.columns {
        let v = image[i + 1, j + 1]
        let level = v.isFinite ? (min(max(v, -1), 1) + 1) / 2 * 255 : 0
        bytes[i * image.columns + j] = UInt8(level.rounded())
      }
    }
    return ["rows": image.rows, "columns": image.columns, "grey": Data(bytes).base64EncodedString()]
  }
}

/// A number JSON can carry: NaN and infinities become nil (JSON null).
func jsonNumber(_ x: Double?) -> Any {
  guard let x, x.isFinite else { return NSNull() }
  return x
}
