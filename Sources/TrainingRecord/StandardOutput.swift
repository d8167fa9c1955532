#if canImport(Glibc)
  @preconcurrency import Glibc
#elseif canImport(Darwin)
  @preconcurrency import Darwin
#endif

/// The C library's standard output stream, which `print` writes through.
package enum StandardOutput {
  /// Writes the stream's buffered bytes out.
  package static func flush() { fflush(stdout) }

  /// Makes the stream write each line out as it ends (as it does on a terminal).
  package static func bufferLines() { setvbuf(stdout, nil, _IOLBF, 0) }

  /// Writes `bytes` to the stream, in order with what `print` wrote before.
  package static func write(_ bytes: [UInt8]) {
    _ = bytes.withUnsafeBytes { fwrite($0.baseAddress, 1, $0.count, stdout) }
  }
}
