import Foundation

/// The server's answer to a WebSocket handshake, when it was not 101.
struct WebSocketRefused: Error {
  let status: Int
  let body: String
}

/// A WebSocket (RFC 6455) client: masked frames out, the server's text in.
/// Closing the socket (when the client is released) ends the connection.
final class LoopbackWebSocket: @unchecked Sendable {
  private let socket: LoopbackSocket

  private init(_ socket: LoopbackSocket) { self.socket = socket }

  /// The handshake for `path` with `headers` (Host, Origin, Cookie as the
  /// test gives them) and the upgrade's own fields.
  ///
  /// - Throws: ``WebSocketRefused`` when the server answers other than 101.
  static func open(port: Int, path: String = "/ws", headers: [(String, String)]) async throws -> LoopbackWebSocket {
    try await offThePool {
      let socket = try LoopbackSocket(port: port)
      let key = Data((0..<16).map { _ in UInt8.random(in: 0...255) }).base64EncodedString()
      let upgrade = [
        ("Connection", "Upgrade"), ("Upgrade", "websocket"), ("Sec-WebSocket-Version", "13"),
        ("Sec-WebSocket-Key", key),
      ]
      try socket.sendHead("GET \(path) HTTP/1.1", headers + upgrade)
      let (status, fields) = try socket.readHead()
      guard status == 101 else {
        throw WebSocketRefused(status: status, body: String(decoding: try socket.readBody(fields), as: UTF8.self))
      }
      let response = LoopbackResponse(status: status, headers: fields, body: [])
      guard response.header("Sec-WebSocket-Accept") == acceptValue(forKey: key) else {
        throw LoopbackError(
          "101 with a wrong Sec-WebSocket-Accept: \(response.header("Sec-WebSocket-Accept") ?? "none")")
      }
      return LoopbackWebSocket(socket)
    }
  }

  /// The `Sec-WebSocket-Accept` a server owes `key`: base64 of the SHA-1 of
  /// the key and the protocol's GUID (RFC 6455 §4.2.2).
  static func acceptValue(forKey key: String) -> String {
    Data(sha1(Array((key + "258EAFA5-E914-47DA-95CA-C5AB0DC85B11").utf8))).base64EncodedString()
  }

  /// One frame, the whole message (FIN), masked with a fresh key as a client's frames must be.
  static func frame(_ payload: [UInt8], opcode: UInt8) -> [UInt8] {
    var frame: [UInt8] = [0x80 | opcode]
    switch payload.count {
    case ..<126: frame.append(0x80 | UInt8(payload.count))
    case ..<65536: frame += [0x80 | 126, UInt8(payload.count >> 8), UInt8(payload.count & 0xFF)]
    default: frame += [0x80 | 127] + (0..<8).reversed().map { UInt8(truncatingIfNeeded: payload.count >> (8 * $0)) }
    }
    let key = (0..<4).map { _ in UInt8.random(in: 0...255) }
    return frame + key + payload.enumerated().map { $0.element ^ key[$0.offset % 4] }
  }

  func send(text: String) async throws { try await send(Array(text.utf8), opcode: 0x1) }

  func send(binary: [UInt8]) async throws { try await send(binary, opcode: 0x2) }

  private func send(_ payload: [UInt8], opcode: UInt8) async throws {
    try await offThePool { try self.socket.send(Self.frame(payload, opcode: opcode)) }
  }

  /// The next text message, answering pings on the way; nil once the server closes.
  func receiveText() async throws -> String? {
    try await offThePool { try self.readMessage() }
  }

  private func readMessage() throws -> String? {
    var message: [UInt8] = []
    while true {
      let head = try socket.read(count: 2)
      let (isFinal, opcode) = (head[0] & 0x80 != 0, head[0] & 0x0F)
      // The length: 7 bits, or 126 then 16 bits, or 127 then 64 bits.
      var length = Int(head[1] & 0x7F)
      if length >= 126 {
        length = try socket.read(count: length == 126 ? 2 : 8).reduce(0) { $0 << 8 | Int($1) }
      }
      guard (0...(1 << 24)).contains(length) else { throw LoopbackError("a frame of \(length) bytes") }
      let mask = head[1] & 0x80 != 0 ? try socket.read(count: 4) : nil  // a server's frames are not masked
      var payload = try socket.read(count: length)
      if let mask { payload = payload.enumerated().map { $0.element ^ mask[$0.offset % 4] } }
      switch opcode {
      case 0x0, 0x1:  // text, or the continuation of a fragmented text message
        message += payload
        if isFinal { return String(decoding: message, as: UTF8.self) }
      case 0x8: return nil
      case 0x9: try socket.send(Self.frame(payload, opcode: 0xA))  // ping: pong with its payload
      case 0xA: continue
      default: throw LoopbackError("a frame with opcode \(opcode), where the playground sends text")
      }
    }
  }
}

/// SHA-1 (FIPS 180-4), for the handshake's accept value only.
func sha1(_ message: [UInt8]) -> [UInt8] {
  func rotated(_ x: UInt32, _ n: UInt32) -> UInt32 { x << n | x >> (32 - n) }
  var h: [UInt32] = [0x6745_2301, 0xEFCD_AB89, 0x98BA_DCFE, 0x1032_5476, 0xC3D2_E1F0]
  // Padding: 0x80, zeros to 56 bytes mod 64, the length in bits (64-bit big-endian).
  var padded = message + [0x80]
  padded += [UInt8](repeating: 0, count: (64 - (padded.count + 8) % 64) % 64)
  padded += (0..<8).reversed().map { UInt8(truncatingIfNeeded: (UInt64(message.count) * 8) >> (8 * UInt64($0))) }
  for block in stride(from: 0, to: padded.count, by: 64) {
    var w = (0..<16).map { i in (0..<4).reduce(UInt32(0)) { $0 << 8 | UInt32(padded[block + 4 * i + $1]) } }
    for i in 16..<80 { w.append(rotated(w[i - 3] ^ w[i - 8] ^ w[i - 14] ^ w[i - 16], 1)) }
    var (a, b, c, d, e) = (h[0], h[1], h[2], h[3], h[4])
    for i in 0..<80 {
      let (f, k): (UInt32, UInt32) =
        switch i {
        case 0..<20: ((b & c) | (~b & d), 0x5A82_7999)
        case 20..<40: (b ^ c ^ d, 0x6ED9_EBA1)
        case 40..<60: ((b & c) | (b & d) | (c & d), 0x8F1B_BCDC)
        default: (b ^ c ^ d, 0xCA62_C1D6)
        }
      (a, b, c, d, e) = (rotated(a, 5) &+ f &+ e &+ k &+ w[i], a, rotated(b, 30), c, d)
    }
    h = zip(h, [a, b, c, d, e]).map { $0 &+ $1 }
  }
  return h.flatMap { v in (0..<4).map { UInt8(truncatingIfNeeded: v >> (24 - 8 * UInt32($0))) } }
}
