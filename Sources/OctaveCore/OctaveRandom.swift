import Foundation

/// Octave's default `rand` stream: the same doubles, in the same order, as
/// GNU Octave after `rand('twister', seed)`.
///
/// The generator is the Mersenne Twister MT19937 (period 2^19937 − 1), written
/// here from its published description:
///
/// - **State**: 624 words of 32 bits. Seeding runs the array initialisation
///   (`init_by_array`) on the one-element key `[seed]`, as Octave does for a
///   scalar `rand('twister', seed)`; the plain single-word initialisation gives
///   a different stream.
/// - **Output**: each 32-bit word is the next state word passed through the
///   tempering shifts and masks; after 624 words the whole state is twisted.
/// - **Doubles**: two words `a`, `b` make `((a >> 5)·2^26 + (b >> 6)) / 2^53`,
///   a multiple of 2^−53 in (0, 1); a draw where both parts are zero is
///   skipped, so 0 never comes out.
/// - **Matrices**: `rand(m, n)` takes `m·n` doubles and stores them
///   column-major, down the first column first, like Octave.
///
/// Successive calls continue one stream, so `rand(25, 401)` then
/// `rand(10, 26)` gives what Octave's two calls give after the same seed.
/// For such seeds this is also the stream of CPython's
/// `random.Random(seed).random()`.
public struct OctaveRandom: Sendable {
  private static let n = 624
  private static let m = 397
  private static let twistConstant: UInt32 = 0x9908_b0df
  private static let upperBit: UInt32 = 0x8000_0000
  private static let lowerBits: UInt32 = 0x7fff_ffff

  private var state: [UInt32]
  private var index: Int

  /// The stream Octave gives after `rand('twister', seed)` (also
  /// `rand('state', seed)`).
  public init(seed: UInt32) {
    state = OctaveRandom.seededState(key: [seed])
    index = OctaveRandom.n
  }

  /// A generator seeded from the clock, and the seed used, so that a program
  /// can print it and a run can be repeated with `init(seed:)`.
  public static func timeSeeded() -> (generator: OctaveRandom, seed: UInt32) {
    var now = timespec()
    clock_gettime(CLOCK_REALTIME, &now)
    // Mix seconds and nanoseconds so that runs a second apart, or a few
    // nanoseconds apart, still get unrelated seeds.
    let mixed =
      UInt64(truncatingIfNeeded: now.tv_sec) &* 0x9e37_79b9_7f4a_7c15
      ^ UInt64(truncatingIfNeeded: now.tv_nsec)
    let seed = UInt32(truncatingIfNeeded: mixed ^ (mixed >> 32))
    return (OctaveRandom(seed: seed), seed)
  }

  /// The next double, uniform in (0, 1): Octave's `rand()`.
  public mutating func rand() -> Double {
    while true {
      let a = next32() >> 5
      let b = next32() >> 6
      if a != 0 || b != 0 {
        return (Double(a) * 67_108_864 + Double(b)) / 9_007_199_254_740_992
      }
    }
  }

  /// A `rows × columns` matrix of uniform (0, 1) doubles filled column-major:
  /// Octave's `rand(rows, columns)`.
  public mutating func rand(_ rows: Int, _ columns: Int) -> Matrix {
    precondition(rows >= 0 && columns >= 0, "rand: dimensions must not be negative (got \(rows)×\(columns))")
    var values = [Double](repeating: 0, count: rows * columns)
    for k in values.indices { values[k] = rand() }
    return Matrix(rows: rows, columns: columns, values: values)
  }

  /// The next tempered 32-bit output of MT19937.
  mutating func next32() -> UInt32 {
    if index >= OctaveRandom.n {
      twist()
      index = 0
    }
    var y = state[index]
    index += 1
    y ^= y >> 11
    y ^= (y << 7) & 0x9d2c_5680
    y ^= (y << 15) & 0xefc6_0000
    y ^= y >> 18
    return y
  }

  /// Replaces all 624 state words: each takes the top bit of itself and the
  /// low 31 bits of its successor, shifted right by one, the twist constant
  /// folded in when the dropped bit was 1, xor the word 397 places on.
  private mutating func twist() {
    let n = OctaveRandom.n
    let m = OctaveRandom.m
    state.withUnsafeMutableBufferPointer { mt in
      for k in 0..<n {
        let y = (mt[k] & OctaveRandom.upperBit) | (mt[(k + 1) % n] & OctaveRandom.lowerBits)
        let folded = (y & 1) == 0 ? 0 : OctaveRandom.twistConstant
        mt[k] = mt[(k + m) % n] ^ (y >> 1) ^ folded
      }
    }
  }

  /// The single-word initialisation: word 0 is `s`, each next word is
  /// `1812433253 · (w ^ (w >> 30)) + k` of the previous one, modulo 2^32.
  private static func singleWordState(_ s: UInt32) -> [UInt32] {
    var mt = [UInt32](repeating: 0, count: n)
    mt[0] = s
    for k in 1..<n {
      let previous = mt[k - 1]
      mt[k] = 1_812_433_253 &* (previous ^ (previous >> 30)) &+ UInt32(k)
    }
    return mt
  }

  /// The array initialisation: start from the single-word state of 19650218,
  /// stir the key into it over max(624, key length) steps, stir again over 623
  /// steps, and set the top bit of word 0 so that the state is never all zero.
  private static func seededState(key: [UInt32]) -> [UInt32] {
    precondition(!key.isEmpty, "MT19937 needs a non-empty key")
    var mt = singleWordState(19_650_218)
    var i = 1
    var j = 0
    for _ in 0..<max(n, key.count) {
      let previous = mt[i - 1]
      mt[i] = (mt[i] ^ ((previous ^ (previous >> 30)) &* 1_664_525)) &+ key[j] &+ UInt32(j)
      i += 1
      j += 1
      if i >= n {
        mt[0] = mt[n - 1]
        i = 1
      }
      if j >= key.count { j = 0 }
    }
    for _ in 0..<(n - 1) {
      let previous = mt[i - 1]
      mt[i] = (mt[i] ^ ((previous ^ (previous >> 30)) &* 1_566_083_941)) &- UInt32(i)
      i += 1
      if i >= n {
        mt[0] = mt[n - 1]
        i = 1
      }
    }
    mt[0] = 0x8000_0000
    return mt
  }
}
