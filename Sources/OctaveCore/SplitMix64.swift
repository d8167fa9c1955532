/// The SplitMix64 generator (Steele, Lea and Flood, 2014): a 64-bit state
/// advanced by a constant and scrambled, small, fast and good enough for
/// making pictures. Not Octave's generator.
package struct SplitMix64: RandomNumberGenerator, Sendable {
  private var state: UInt64

  package init(seed: UInt64) { state = seed }

  package mutating func next() -> UInt64 {
    state &+= 0x9E37_79B9_7F4A_7C15
    var z = state
    z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
    z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
    return z ^ (z >> 31)
  }

  /// A uniform value in [0, 1) with 53 random bits.
  package mutating func unit() -> Double { Double(next() >> 11) * 0x1p-53 }

  /// A uniform value in [a, b).
  package mutating func uniform(_ a: Double, _ b: Double) -> Double { a + (b - a) * unit() }

  /// A uniform value in [−a, a).
  package mutating func jitter(_ a: Double) -> Double { uniform(-a, a) }

  /// True with probability p.
  package mutating func chance(_ p: Double) -> Bool { unit() < p }
}
