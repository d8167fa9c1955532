import Foundation
import NIOCore
import NIOHTTP1
import NIOPosix
import NIOWebSocket

/// An answer to one HTTP request: its status, its headers (`Content-Length`
/// and `Connection` are added when it is written) and its body.
package struct PageResponse: Sendable {
  package var status: HTTPResponseStatus
  package var headers: [(String, String)]
  package var body: [UInt8]

  package init(status: HTTPResponseStatus, headers: [(String, String)] = [], body: [UInt8] = []) {
    self.status = status
    self.headers = headers
    self.body = body
  }

  /// A refusal or failure in one line of plain text.
  package init(status: HTTPResponseStatus, text: String) {
    self.init(status: status, headers: [("Content-Type", "text/plain; charset=utf-8")], body: Array((text + "\n").utf8))
  }

  /// A message for the page, as JSON.
  package init(_ message: Outgoing, status: HTTPResponseStatus = .ok) {
    self.init(status: status, headers: [("Content-Type", "application/json")], body: Array(message.text.utf8))
  }
}

/// What a connection became after its first request: the page's WebSocket,
/// or HTTP requests one after another. `refused` is a WebSocket handshake
/// that was not upgraded: SwiftNIO's upgrade handler does not pass such a
/// request on, so it is kept here to be answered.
private enum Connection: Sendable {
  case webSocket(NIOAsyncChannel<WebSocketFrame, WebSocketFrame>)
  case http(NIOAsyncChannel<HTTPServerRequestPart, HTTPServerResponsePart>, refused: HTTPRequestHead?)
}

extension Playground {
  /// Serves the page on 127.0.0.1:`port` (0: a free port) until the calling
  /// task is cancelled; `onListening` is called once the port is bound and
  /// recorded in ``PlaygroundAccess/port``.
  ///
  /// Each connection is a child task; a connection's failure (a malformed
  /// request, a peer that goes away) ends that connection only. A photo's
  /// body (`POST /photo` past the access rules) is kept up to the largest
  /// photo; beyond it the rest is read and dropped and the answer is 413.
  /// Every other body is read and dropped. The WebSocket's messages are whole
  /// messages of at most ``largestFrame`` bytes (its fragments joined);
  /// beyond that the connection is closed with the protocol's "too big".
  package func serve(port: Int, onListening: @escaping @Sendable () -> Void = {}) async throws {
    let server = try await ServerBootstrap(group: MultiThreadedEventLoopGroup.singleton)
      .serverChannelOption(.socketOption(.so_reuseaddr), value: 1)
      .bind(host: "127.0.0.1", port: port) { channel in
        channel.eventLoop.makeCompletedFuture { try self.configure(channel) }
      }
    access.bound(to: server.channel.localAddress?.port ?? port)
    onListening()
    try await withThrowingDiscardingTaskGroup { group in
      try await server.executeThenClose { connections in
        for try await connection in connections {
          group.addTask { await self.serve(connection) }
        }
      }
    }
  }

  /// A new connection's pipeline: HTTP/1.1, upgraded to the WebSocket when
  /// the handshake may open it (``mayOpenWebSocket(_:)``).
  private func configure(_ channel: any Channel) throws -> EventLoopFuture<Connection> {
    let refused = Shared<HTTPRequestHead?>(nil)
    let upgrader = NIOTypedWebSocketServerUpgrader<Connection>(
      maxFrameSize: Self.largestFrame,
      shouldUpgrade: { channel, head in
        guard self.mayOpenWebSocket(head) else {
          refused.withLock { $0 = head }
          return channel.eventLoop.makeSucceededFuture(nil)
        }
        return channel.eventLoop.makeSucceededFuture(HTTPHeaders())
      },
      upgradePipelineHandler: { channel, _ in
        channel.eventLoop.makeCompletedFuture {
          try channel.pipeline.syncOperations.addHandler(
            NIOWebSocketFrameAggregator(
              minNonFinalFragmentSize: 0, maxAccumulatedFrameCount: 1024, maxAccumulatedFrameSize: Self.largestFrame))
          return .webSocket(try NIOAsyncChannel(wrappingChannelSynchronously: channel))
        }
      })
    let upgrades = NIOTypedHTTPServerUpgradeConfiguration<Connection>(
      upgraders: [upgrader],
      notUpgradingCompletionHandler: { channel in
        channel.eventLoop.makeCompletedFuture {
          .http(try NIOAsyncChannel(wrappingChannelSynchronously: channel), refused: refused.withLock { $0 })
        }
      })
    return try channel.pipeline.syncOperations.configureUpgradableHTTPServerPipeline(
      configuration: .init(upgradeConfiguration: upgrades))
  }

  private func serve(_ connection: EventLoopFuture<Connection>) async {
    do {
      switch try await connection.get() {
      case .webSocket(let channel): try await serveWebSocket(channel)
      case .http(let channel, let refused): try await serveHTTP(channel, refusedHandshake: refused)
      }
    } catch {
      // The connection ends; the server goes on.
    }
  }

  // MARK: - HTTP

  /// Requests one after another, each answered when its body has been read;
  /// or a refused WebSocket handshake, answered with the rule that refused
  /// it, and the connection closed.
  private func serveHTTP(
    _ channel: NIOAsyncChannel<HTTPServerRequestPart, HTTPServerResponsePart>, refusedHandshake: HTTPRequestHead?
  ) async throws {
    try await channel.executeThenClose { inbound, outbound in
      if let refusedHandshake {
        return try await write(await respond(to: refusedHandshake, body: []), keepAlive: false, to: outbound)
      }
      var head: HTTPRequestHead?
      var body: [UInt8] = []
      var keepsBody = false
      var tooLarge = false
      for try await part in inbound {
        switch part {
        case .head(let next):
          (head, body, tooLarge) = (next, [], false)
          keepsBody = self.keepsBody(next)
        case .body(let buffer):
          guard keepsBody else { continue }
          if body.count + buffer.readableBytes > DrawingClassifier.largestPhoto { tooLarge = true }
          if !tooLarge { body.append(contentsOf: buffer.readableBytesView) }
        case .end:
          guard let request = head else { return }
          let response = tooLarge ? Self.photoTooLarge : await respond(to: request, body: body)
          let keepAlive = request.isKeepAlive && !tooLarge
          try await write(response, keepAlive: keepAlive, to: outbound)
          guard keepAlive else { return }
          (head, body) = (nil, [])
        }
      }
    }
  }

  private func write(
    _ response: PageResponse, keepAlive: Bool, to outbound: NIOAsyncChannelOutboundWriter<HTTPServerResponsePart>
  ) async throws {
    var headers = HTTPHeaders(response.headers)
    headers.replaceOrAdd(name: "Content-Length", value: "\(response.body.count)")
    headers.replaceOrAdd(name: "Connection", value: keepAlive ? "keep-alive" : "close")
    try await outbound.write(
      contentsOf: [
        .head(HTTPResponseHead(version: .http1_1, status: response.status, headers: headers)),
        .body(.byteBuffer(ByteBuffer(bytes: response.body))), .end(nil),
      ])
  }

  // MARK: - The WebSocket

  /// One page's connection: its messages in, and everything for it out
  /// through one writer; its training stops when it closes.
  private func serveWebSocket(_ channel: NIOAsyncChannel<WebSocketFrame, WebSocketFrame>) async throws {
    let id = UUID()
    let (messages, continuation) = AsyncStream.makeStream(of: WebSocketFrame.self, bufferingPolicy: .unbounded)
    let send: @Sendable (Outgoing) -> Void = { message in
      continuation.yield(WebSocketFrame(fin: true, opcode: .text, data: ByteBuffer(string: message.text)))
    }
    defer {
      continuation.finish()
      stopTraining(of: id)
    }
    send(hello())
    try await channel.executeThenClose { inbound, outbound in
      try await withThrowingTaskGroup(of: Void.self) { group in
        group.addTask {
          for await frame in messages {
            try await outbound.write(frame)
            if frame.opcode == .connectionClose { return }
          }
        }
        defer { continuation.finish() }
        for try await frame in inbound {
          switch frame.opcode {
          case .text: handle(String(buffer: frame.unmaskedData), from: id, send: send)
          case .binary: handle(nil, from: id, send: send)
          case .ping: continuation.yield(WebSocketFrame(fin: true, opcode: .pong, data: frame.unmaskedData))
          case .connectionClose:
            // The peer's status code echoed, as RFC 6455 asks, then the connection ends.
            var data = frame.unmaskedData
            let code = data.readSlice(length: 2) ?? ByteBuffer()
            continuation.yield(WebSocketFrame(fin: true, opcode: .connectionClose, data: code))
            continuation.finish()
            try await group.waitForAll()
            return
          default: break
          }
        }
        continuation.finish()
        try await group.waitForAll()
      }
    }
  }
}
