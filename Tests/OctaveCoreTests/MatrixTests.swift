import Foundation
import Testing

@testable import OctaveCore
import MatFiles
import TestSupport

/// `Matrix` against Octave: every expected value below was computed by Octave
/// 7.3 in `fixtures/matfile/make_fixtures.m` and saved in
/// `fixtures/matfile/reshape-v7.mat`; the tests recompute it in Swift from the
/// inputs saved beside it. Results Octave computes exactly (integers,
/// reordering, single IEEE operations) must match bit for bit; `exp`, `log`,
/// `tanh`, sums and products of random numbers to 1e-14 relative.
///
/// An out-of-range subscript stops the program (a precondition), which cannot
/// be observed in-process, so it is not tested here; none of the cases below
/// comes near one, nor near a shape mismatch.
@Suite struct MatrixTests {
  let octave: [String: Matrix]

  init() throws {
    octave = try MatFile.read(Fixture.path("matfile/reshape-v7.mat"))
  }

  /// The Octave-made variable `name`.
  func fixture(_ name: String) throws -> Matrix {
    try #require(octave[name], "reshape-v7.mat has no variable \(name)")
  }

  /// Exactly Octave's result: the same shape and the same bits in every element.
  func expectExact(_ ours: Matrix, _ name: String, sourceLocation: SourceLocation = #_sourceLocation) throws {
    let expected = try fixture(name)
    #expect(ours.shape == expected.shape, "\(name): shape", sourceLocation: sourceLocation)
    #expect(
      ours.values.map(\.bitPattern) == expected.values.map(\.bitPattern),
      "\(name): ours \(ours) vs Octave \(expected)", sourceLocation: sourceLocation)
  }

  /// Octave's result to `tolerance` relative in every element.
  func expectClose(
    _ ours: Matrix, _ name: String, tolerance: Double = 1e-14, sourceLocation: SourceLocation = #_sourceLocation
  ) throws {
    let expected = try fixture(name)
    try #require(ours.shape == expected.shape, "\(name): shape", sourceLocation: sourceLocation)
    let difference = maxRelativeDifference(ours, expected)
    #expect(difference <= tolerance, "\(name): relative difference \(difference)", sourceLocation: sourceLocation)
  }

  @Test func reshapeIsColumnMajorLikeOctave() throws {
    let a = reshape(Matrix(column: [1, 2, 3, 4, 5, 6]), 2, 3)
    #expect(a == Matrix([[1, 3, 5], [2, 4, 6]]))
    try expectExact(a, "A")
    try expectExact(reshape((1...24).map(Double.init), 4, 6), "B")
    try expectExact(Matrix(row: (1...6).map(Double.init)).reshaped(2, 3), "A")
  }

  @Test func subscriptsAreOneBasedLikeOctave() throws {
    let a = try fixture("A")
    #expect(a[1, 1] == 1 && a[2, 1] == 2 && a[1, 2] == 3 && a[2, 3] == 6)
    #expect((1...6).map { a[$0] } == [1, 2, 3, 4, 5, 6])
    let b = try fixture("B")
    #expect(b[4, 6] == 24 && b[3, 2] == 7)
    #expect(b.row(3) == Matrix(row: [3, 7, 11, 15, 19, 23]))
    var c = a
    c[2, 3] = -1
    c[1] = -2
    #expect(c == Matrix([[-2, 3, 5], [2, 4, -1]]))
  }

  @Test func unrollAndRollRoundTrip() throws {
    let a = try fixture("A")
    let b = try fixture("B")
    try expectExact(unroll(a, b), "u")
    try expectExact(unroll([a, b]), "u")
    let u = try fixture("u")
    #expect(u[1...6] == a.unrolled)
    #expect(u[7...30] == b.unrolled)
    #expect(u[7...] == b.unrolled)
    #expect(roll(u, into: [(2, 3), (4, 6)]) == [a, b])
    let r = try fixture("R")
    let s = try fixture("S")
    #expect(roll(unroll(r, s, a), into: [(5, 4), (5, 4), (2, 3)]) == [r, s, a])
  }

  @Test func transposeSelectionAndOnesColumn() throws {
    let b = try fixture("B")
    try expectExact(try fixture("A").transposed(), "t")
    try expectExact(try fixture("W").transposed(), "Wt")
    try expectExact(b[rows: [3, 1, 3]], "Bsel")
    try expectExact(b[rows: [4, 1, 1, 2]], "Bsel2")
    try expectExact(b[columns: 2...], "Bcols")
    try expectExact(b[columns: 2...6], "Bcols")
    try expectExact(b.prependingOnes(), "ones_prepended")
  }

  @Test func sums() throws {
    let b = try fixture("B")
    try expectExact(sum(b, 2), "rowsum")
    try expectExact(sum(b), "colsum")
    try expectExact(sum(b, 1), "colsum")
    let r = try fixture("R")
    try expectClose(sum(r), "colsumR")
    try expectClose(sum(r, 2), "rowsumR")
    try expectClose(Matrix(row: [r.sum()]), "sumR")
    try expectClose(Matrix(row: [sum(sum(r)).sum()]), "sumR")
  }

  @Test func productsThroughBLAS() throws {
    let b = try fixture("B")
    try expectExact(b.transposed() * b, "prod")
    try expectExact(product(b, b, transposeA: true), "prod")
    let r = try fixture("R")
    let s = try fixture("S")
    try expectClose(r.transposed() * s, "RtS")
    try expectClose(product(r, s, transposeA: true), "RtS")
    try expectClose(r * s.transposed(), "RSt")
    try expectClose(product(r, s, transposeB: true), "RSt")
    try expectClose(product(s, r, transposeA: true).transposed(), "RtS")
    try expectClose(product(r.transposed(), s, transposeA: true, transposeB: true), "RSt")
  }

  @Test func elementwiseArithmetic() throws {
    let r = try fixture("R")
    let s = try fixture("S")
    try expectExact(r + s, "R_plus_S")
    try expectExact(r - s, "R_minus_S")
    try expectExact(r .* s, "R_times_S")
    try expectExact(r ./ s, "R_div_S")
    try expectExact(r + 2, "R_plus_2")
    try expectExact(r - 2, "R_minus_2")
    try expectExact(r * 3, "R_times_3")
    try expectExact(r / 3, "R_over_3")
    try expectExact(2 + r, "two_plus_R")
    try expectExact(2 - r, "two_minus_R")
    try expectExact(3 * r, "three_times_R")
    try expectExact(1 ./ s, "one_over_S")
    try expectExact(-r, "minus_R")
  }

  @Test func elementaryFunctions() throws {
    let r = try fixture("R")
    try expectClose(exp(r), "expR")
    try expectClose(log(r.map { abs($0) }), "logAbsR")
    try expectClose(tanh(r), "tanhR")
  }

  @Test func indexOfMaximumInEachRowMatchesOctaveMax() throws {
    let m = try fixture("M")
    let p = try fixture("p")
    #expect(m.rows == 9 && p.shape == "9×1")
    #expect(m.indexOfMaximumInEachRow() == p.values.map { Int($0) })
    // The fixture's tie rows: the first of the equal maxima, as in Octave.
    #expect(p[8] == 2 && p[9] == 1)
  }
}

@Suite struct MatrixComparisonTests {
  @Test("A .== B is Octave's A == B: 1 where equal, 0 elsewhere, NaN equal to nothing")
  func elementwiseEquality() {
    let a = Matrix([[1, 2, .nan], [4, 5, 6]])
    let b = Matrix([[1, 0, .nan], [4, 5, 7]])
    #expect((a .== b) == Matrix([[1, 0, 0], [1, 1, 0]]))
  }

  @Test("mean of a vector, and the course's accuracy mean(double(pred == y)) * 100")
  func meanAndAccuracy() {
    #expect(mean(Matrix(row: [1, 2, 3, 4])) == 2.5)
    #expect(mean(Matrix(column: [0.5, -0.5, 3])) == 1)
    #expect(mean(Matrix.zeros(0, 1)).isNaN)
    let pred = Matrix(column: [1, 2, 3, 10, 10])
    let y = Matrix(column: [1, 2, 4, 10, 9])
    #expect(mean(pred .== y) * 100 == 60)
  }
}
