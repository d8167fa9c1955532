import Foundation

extension Plot {
  /// One axis: where values go along it, its ticks and their labels, in
  /// "drawn units" (the value on a linear axis, its log10 on a logarithmic one).
  struct Scale {
    let logarithmic: Bool
    let lower: Double
    let upper: Double
    /// Where 0 is drawn on a logarithmic axis that has zeros; nil otherwise.
    let zero: Double?
    /// The tick positions, in drawn units, in increasing order (the zero's first).
    let ticks: [Double]

    init(values: [Double], logarithmic: Bool, fixed: ClosedRange<Double>?) {
      self.logarithmic = logarithmic
      guard logarithmic else {
        let range = fixed ?? niceRange(values.filter(\.isFinite))
        (lower, upper, zero) = (range.lowerBound, range.upperBound, nil)
        ticks = linearTicks(range)
        return
      }
      let positive = values.filter { $0.isFinite && $0 > 0 }.map { Foundation.log10($0) }
      let hasZero = values.contains(0)
      var low: Double
      var high: Double
      if let fixed, fixed.lowerBound > 0 {
        (low, high) = (Foundation.log10(fixed.lowerBound), Foundation.log10(fixed.upperBound))
      } else if let lo = positive.min(), let hi = positive.max() {
        low = Foundation.floor(lo)
        high = max(Foundation.ceil(hi), low + 1)
      } else {
        (low, high) = (0, 1)
      }
      var zero: Double? = nil
      var decadesFrom = low
      if hasZero {
        if positive.isEmpty {
          zero = 0
          (low, high) = (-0.5, 0.5)
          decadesFrom = 1
        } else {
          zero = Foundation.floor(low) - 1
          decadesFrom = zero! + 1
          low = zero! - 0.5
          // The same margin at the other end, so that the last point is not on the frame either.
          if fixed == nil && positive.max()! == high { high += 0.5 }
        }
      }
      let decades = Array(stride(from: Foundation.ceil(decadesFrom), through: high + 1e-9, by: 1))
      let step = max(1, Int((Double(decades.count) / 8).rounded(.up)))
      var ticks = stride(from: 0, to: decades.count, by: step).map { decades[$0] }
      if let zero { ticks.insert(zero, at: 0) }
      (self.lower, self.upper, self.zero, self.ticks) = (low, high, zero, ticks)
    }

    /// The value in drawn units, nil when it cannot be drawn on this axis.
    func position(_ value: Double) -> Double? {
      guard value.isFinite else { return nil }
      guard logarithmic else { return value }
      if value > 0 { return Foundation.log10(value) }
      return value == 0 ? zero : nil
    }

    /// Where `value` falls between the axis's ends, 0 at the lower and 1 at the upper; nil when not drawable.
    func fraction(_ value: Double) -> Double? {
      position(value).map(fraction(ofPosition:))
    }

    func fraction(ofPosition position: Double) -> Double {
      upper > lower ? (position - lower) / (upper - lower) : 0.5
    }

    /// Where the axis is broken between the zero and the decades; nil without a zero.
    var breakPosition: Double? { zero.map { $0 + 0.5 } }

    func label(ofTick tick: Double) -> String {
      if let zero, tick == zero { return "0" }
      return tickLabel(logarithmic ? Foundation.pow(10, tick) : tick)
    }

    /// A short label of the value at drawn position `position` (for the text drawing's ends).
    func shortLabel(atPosition position: Double) -> String {
      if let zero, position <= zero + 0.5 { return "0" }
      return String(format: "%.3g", logarithmic ? Foundation.pow(10, position) : position)
    }
  }
}

/// The smallest range of whole 1-2-5 steps that holds every value.
func niceRange(_ values: [Double]) -> ClosedRange<Double> {
  guard var lo = values.min(), var hi = values.max() else { return 0...1 }
  if lo == hi {
    lo -= 1
    hi += 1
  }
  let step = niceStep((hi - lo) / 6)
  return (Foundation.floor(lo / step) * step)...(Foundation.ceil(hi / step) * step)
}

func niceStep(_ rough: Double) -> Double {
  let magnitude = Foundation.pow(10, Foundation.floor(Foundation.log10(rough)))
  let fraction = rough / magnitude
  let nice: Double = fraction <= 1 ? 1 : fraction <= 2 ? 2 : fraction <= 5 ? 5 : 10
  return nice * magnitude
}

/// Ticks at whole steps of the range's 1-2-5 step, from its lower end to its upper.
func linearTicks(_ range: ClosedRange<Double>) -> [Double] {
  guard range.upperBound > range.lowerBound else { return [range.lowerBound] }
  let step = niceStep((range.upperBound - range.lowerBound) / 6)
  var out: [Double] = []
  var k = Foundation.ceil(range.lowerBound / step - 1e-9)
  while k * step <= range.upperBound + step * 1e-9 {
    let t = k * step
    out.append(abs(t) < step * 1e-9 ? 0 : t)
    k += 1
  }
  return out
}

func tickLabel(_ t: Double) -> String {
  String(format: "%g", t)
}

/// `text` with the characters that SVG and HTML give a meaning to written as
/// entities, for text or for an attribute's value between double quotes
/// (the SVG plots, the HTML report).
package func escaped(_ text: String) -> String {
  escapedText(text).replacingOccurrences(of: "\"", with: "&quot;")
}

/// `text` for between tags: `&`, `<` and `>` written as entities, so that
/// nothing in it is read as markup or as an entity (quotes shown as they are).
package func escapedText(_ text: String) -> String {
  text.replacingOccurrences(of: "&", with: "&amp;").replacingOccurrences(of: "<", with: "&lt;")
    .replacingOccurrences(of: ">", with: "&gt;")
}
