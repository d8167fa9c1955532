/// The numeric types a MATLAB 5 data element can be stored as: the `mi…`
/// codes of its tag (libmatio's `matio_types` use the same numbers), with
/// each type's size and name. The one table of them in this module.
package enum MATLABDataType: UInt32, CaseIterable, Sendable {
  case int8 = 1, uint8 = 2, int16 = 3, uint16 = 4, int32 = 5, uint32 = 6, single = 7, double = 9
  case int64 = 12, uint64 = 13

  /// Bytes per value.
  package var byteSize: Int {
    switch self {
    case .int8, .uint8: 1
    case .int16, .uint16: 2
    case .int32, .uint32, .single: 4
    case .double, .int64, .uint64: 8
    }
  }

  /// The name Octave's `class()` gives an array of this type.
  package var name: String { "\(self)" }

  /// MATLAB v4's precision digit P (0 double, 1 single, 2 int32, 3 int16,
  /// 4 uint16, 5 uint8) as the same type.
  package init?(v4Precision P: Int) {
    let types: [MATLABDataType] = [.double, .single, .int32, .int16, .uint16, .uint8]
    guard types.indices.contains(P) else { return nil }
    self = types[P]
  }
}

/// MATLAB's array classes: the class codes of an array's flags (libmatio's
/// `matio_classes` use the same numbers, with 0 for an empty variable).
package enum MATLABClass: Int, CaseIterable, Sendable {
  case cell = 1, structure, object, char, sparse, double, single, int8, uint8, int16, uint16, int32, uint32
  case int64, uint64, functionHandle, opaque

  /// The class as Octave names it.
  package var name: String {
    switch self {
    case .structure: "struct"
    case .functionHandle: "function handle"
    default: "\(self)"
    }
  }

  /// The name of class code `code`, or "empty" for libmatio's 0, or the code itself.
  package static func name(ofCode code: Int) -> String {
    code == 0 ? "empty" : MATLABClass(rawValue: code)?.name ?? "class \(code)"
  }
}
