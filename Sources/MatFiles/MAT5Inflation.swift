import OctaveCore
internal import CZlib
import Foundation

extension MAT5Layout {
  /// Inflates one compressed element in full, checking that its stream ends,
  /// passes zlib's checksum, uses every byte of the element and inflates to
  /// exactly one miMATRIX element of the length its tag gives.
  static func inflate(_ compressed: Slice<UnsafeRawBufferPointer>, bigEndian: Bool, context: String)
    throws(Damage) -> InflatedBytes
  {
    func damage(_ why: String) -> Damage { Damage(why: "\(context): its compressed data \(why)") }
    var stream = z_stream()
    guard inflateInit_(&stream, zlibVersion(), Int32(MemoryLayout<z_stream>.size)) == Z_OK else {
      throw damage("cannot be inflated (zlib could not start)")
    }
    defer { inflateEnd(&stream) }
    let input = UnsafeRawBufferPointer(rebasing: compressed)
    stream.next_in = UnsafeMutablePointer(mutating: input.baseAddress?.assumingMemoryBound(to: Bytef.self))
    stream.avail_in = uInt(input.count)

    // The inner tag first, to learn how long the element is; then at most
    // that many bytes more, growing the buffer only as data arrives.
    let output = InflatedBytes(capacity: 8)
    var expected: Int? = nil
    while true {
      if output.count == output.capacity {
        if expected == nil {
          let inner = ElementReader(bytes: output.bytes, bigEndian: bigEndian, fileSize: 0)
          let (type, count) = (inner.u32(0), Int(inner.u32(4)))
          guard type == miMATRIX else {
            throw damage("holds an element of type \(type), not a matrix (14)")
          }
          guard 8 + count <= input.count * maximumCompressionRatio else {
            throw damage("declares a \(count)-byte matrix, more than its \(input.count) compressed bytes can hold")
          }
          expected = 8 + count
        }
        // One byte beyond the expected length, to notice a stream that goes on.
        let limit = expected! + 1
        guard output.capacity < limit else {
          throw damage("inflates to more than the \(expected! - 8) bytes its matrix's tag declares")
        }
        guard output.grow(to: min(max(2 * output.capacity, 1 << 16), limit)) else {
          throw damage("could not be inflated: out of memory")
        }
      }
      let space = output.capacity - output.count
      stream.next_out = (output.pointer + output.count).assumingMemoryBound(to: Bytef.self)
      stream.avail_out = uInt(space)
      let status = CZlib.inflate(&stream, Z_NO_FLUSH)
      let produced = space - Int(stream.avail_out)
      output.count += produced
      switch status {
      case Z_STREAM_END:
        guard let expected else {
          throw damage("inflates to \(output.count) bytes, less than a matrix's tag")
        }
        guard output.count == expected else {
          throw damage("inflates to \(output.count - 8) bytes where its matrix's tag declares \(expected - 8)")
        }
        guard stream.avail_in == 0 else {
          throw damage("has \(stream.avail_in) bytes left over after its zlib stream ends")
        }
        return output
      case Z_OK:
        if produced == 0 && stream.avail_in == 0 {
          throw damage("ends before its zlib stream does (it is cut short)")
        }
      case Z_BUF_ERROR:
        // No progress was possible: the input ran out mid-stream.
        throw damage("ends before its zlib stream does (it is cut short)")
      case Z_DATA_ERROR:
        let message = stream.msg.map { String(cString: $0) } ?? "invalid data"
        throw damage(
          message == "incorrect data check"
            ? "fails zlib's checksum (the bytes were altered)" : "is not a valid zlib stream (zlib: \(message))")
      case Z_NEED_DICT:
        throw damage("is not a valid zlib stream (it asks for a preset dictionary)")
      case Z_MEM_ERROR:
        throw damage("could not be inflated: zlib ran out of memory")
      default:
        throw damage("could not be inflated (zlib status \(status))")
      }
    }
  }
}

/// Bytes inflated from a compressed element, in memory of their own that
/// grows as they arrive.
final class InflatedBytes {
  private(set) var pointer: UnsafeMutableRawPointer
  private(set) var capacity: Int
  /// How many bytes are filled.
  var count = 0

  init(capacity: Int) {
    pointer = malloc(capacity)!
    self.capacity = capacity
  }

  deinit { free(pointer) }

  /// Makes room for `capacity` bytes, keeping those filled; false when the
  /// memory is not to be had.
  func grow(to capacity: Int) -> Bool {
    guard let grown = realloc(pointer, capacity) else { return false }
    pointer = grown
    self.capacity = capacity
    return true
  }

  /// The filled bytes; valid while this object lives.
  var bytes: UnsafeRawBufferPointer { UnsafeRawBufferPointer(start: pointer, count: count) }
}
