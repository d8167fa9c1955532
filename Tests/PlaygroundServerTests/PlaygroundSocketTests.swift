import ExerciseData
import TrainingRecord
import ExercisePrograms
import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import HummingbirdWSTesting
import NeuralNetworkLearning
import PlaygroundServer
import TestSupport
import Testing
import WSClient

/// The playground's WebSocket on a live server on loopback: who may open it,
/// what it answers to bad messages, and the numbers it streams.
@Suite struct PlaygroundSocketTests {
  /// The course's 8-bit digits, or nil (the test is then skipped, naming the file).
  static func courseData() throws -> PlaygroundData? {
    let path = DataDirectory.file("ex4data1-8bit.mat")
    guard FileManager.default.fileExists(atPath: path) else { return nil }
    let data = try DigitData.load(named: path)
    return PlaygroundData(X: data.X, y: data.y, source: path)
  }

  static func smallData() -> PlaygroundData {
    let data = builtinDigits()
    return PlaygroundData(X: data.X, y: data.y, source: "the built-in digits")
  }

  /// Runs `body` against a live playground, with a WebSocket client whose
  /// handshake carries `origin` (the page's own by default) and the cookie.
  static func withSocket(
    _ playground: Playground, origin: (@Sendable (Int) -> String)? = nil, cookie: Bool = true,
    _ body: @escaping @Sendable (WebSocketInboundStream, WebSocketOutboundWriter) async throws -> Void
  ) async throws {
    let app = playground.application(port: 0)
    try await app.test(.live) { client in
      let port = try #require(client.port)
      // The client sends `Origin: ws://localhost` itself; another is added to it.
      var headers: HTTPFields = [:]
      if let origin { headers[.origin] = origin(port) }
      if cookie { headers[.cookie] = "\(PlaygroundAccess.cookieName)=\(playground.access.token)" }
      try await client.ws("/ws", configuration: .init(maxFrameSize: 1 << 22, additionalHeaders: headers)) {
        inbound, outbound, _ in
        try await body(inbound, outbound)
      }
    }
  }

  /// The messages received until one satisfies `last` (that one included).
  static func receive(
    _ messages: inout WebSocketInboundMessageStream.AsyncIterator, until last: ([String: Any]) -> Bool
  ) async throws -> [[String: Any]] {
    var received: [[String: Any]] = []
    while let message = try await messages.next() {
      guard case .text(let text) = message,
        let object = try JSONSerialization.jsonObject(with: Data(text.utf8)) as? [String: Any]
      else { continue }
      received.append(object)
      if last(object) { break }
    }
    return received
  }

  static func isError(_ m: [String: Any]) -> Bool { m["type"] as? String == "error" }

  @Test(arguments: ["http://evil.example", "http://127.0.0.1:1", "null", "https://localhost"])
  func aHandshakeFromAnotherOriginIsRefused(origin: String) async throws {
    await #expect(throws: (any Error).self) {
      let playground = Playground(access: PlaygroundAccess(), data: Self.smallData())
      try await Self.withSocket(playground, origin: { _ in origin }) { _, _ in
        Issue.record("the WebSocket opened for Origin \(origin)")
      }
    }
  }

  @Test func aHandshakeWithoutTheCookieIsRefused() async throws {
    await #expect(throws: (any Error).self) {
      try await Self.withSocket(Self.playgroundOnSmallData(), cookie: false) { _, _ in
        Issue.record("the WebSocket opened without the token")
      }
    }
  }

  /// A playground that takes the test client's WebSocket (`Origin: ws://localhost`).
  static func playground(data: PlaygroundData) -> Playground {
    Playground(access: PlaygroundAccess(otherOrigins: ["ws://localhost"]), data: data)
  }

  static func playgroundOnSmallData() -> Playground { playground(data: smallData()) }

  @Test func malformedAndOversizedMessagesAreAnsweredWithAnError() async throws {
    let bad = [
      "not json", "{\"type\": 3}", "{\"kind\": \"train\"}", "{\"type\": \"fly\"}",
      "{\"type\": \"draw\", \"width\": 10}", "{\"type\": \"draw\", \"width\": 2, \"height\": 2, \"grey\": \"AAAA\"}",
      "{\"type\": \"draw\", \"width\": 100000, \"height\": 2, \"grey\": \"\"}",
      "{\"type\": \"train\", \"settings\": {\"lambda\": -1}}",
      "{\"type\": \"train\", \"settings\": {\"hiddenLayers\": [0]}}",
      "{\"type\": \"train\", \"settings\": {\"optimizer\": \"adam\"}}",
      "{\"type\": \"examples\", \"actual\": 12, \"guess\": 1}",
      "{\"type\": \"draw\", \"width\": 200, \"height\": 200, \"grey\": \"" + String(repeating: "A", count: 70_000)
        + "\"}",
    ]
    try await Self.withSocket(Self.playgroundOnSmallData()) { inbound, outbound in
      var messages = inbound.messages(maxSize: 1 << 24).makeAsyncIterator()
      _ = try await Self.receive(&messages) { $0["type"] as? String == "hello" }
      for text in bad {
        try await outbound.write(.text(text))
        let answer = try await Self.receive(&messages) { Self.isError($0) || $0["type"] as? String == "guess-error" }
        let message = try #require(answer.last?["message"] as? String, "no error for \(text.prefix(60))")
        #expect(!message.isEmpty)
      }
      // The last one was too large: the answer says so.
      try await outbound.write(.text(bad.last!))
      let answer = try await Self.receive(&messages, until: Self.isError)
      #expect((answer.last?["message"] as? String)?.contains("64 KB") == true)
      try await outbound.write(.binary(ByteBuffer(string: "{}")))
      #expect(
        try await Self.receive(&messages, until: Self.isError).last?["message"] as? String == "messages are JSON text")
    }
  }

  /// The costs the page receives for seed 1 are ex4's on the command line:
  /// the same data, 20% held out, the course's network and 50 iterations.
  @Test func theStreamedCostsAreEx4s() async throws {
    guard let data = try Self.courseData() else {
      print("Skipped: \(DataDirectory.file("ex4data1-8bit.mat")) not found")
      return
    }
    let folder = try TemporaryDirectory()
    let run = try ProgramRun.run(
      "ex4", ["--data", data.source, "--seed", "1", "--no-pause", "--validation", "20%"], in: folder.path)
    #expect(run.status == 0, "\(run.standardError)")
    let expected = run.standardOutput.split(separator: "\n").filter { $0.contains("| Cost: ") }
      .map { $0.trimmingCharacters(in: .whitespaces) }
    #expect(expected.count == 50)

    try await Self.withSocket(Self.playground(data: data)) { inbound, outbound in
      var messages = inbound.messages(maxSize: 1 << 24).makeAsyncIterator()
      try await outbound.write(.text("{\"type\": \"train\", \"settings\": {\"seed\": 1}}"))
      let received = try await Self.receive(&messages) { $0["state"] as? String == "finished" || Self.isError($0) }
      let iterations = received.filter { $0["type"] as? String == "iteration" }
      let lines = iterations.map { m in
        String(format: "Iteration %5ld | Cost: %4.6e", m["iteration"] as? Int ?? -1, m["cost"] as? Double ?? .nan)
      }
      #expect(lines == expected)
      let accuracy = try #require(iterations.last?["heldOutAccuracy"] as? Double)
      #expect(accuracy > 85 && accuracy <= 100)
      // The trained network reads a drawing: a vertical bar is a 1.
      var bar = [UInt8](repeating: 255, count: 140 * 140)
      for i in 20..<120 { for j in 62..<78 { bar[i * 140 + j] = 0 } }
      let drawing =
        "{\"type\": \"draw\", \"id\": 7, \"width\": 140, \"height\": 140, \"grey\": \"\(Data(bar).base64EncodedString())\"}"
      try await outbound.write(.text(drawing))
      let guess = try await Self.receive(&messages) { $0["type"] as? String == "guess" || Self.isError($0) }.last
      #expect(guess?["digit"] as? Int == 1)
      #expect((guess?["outputs"] as? [Double])?.count == 10)
      #expect((guess?["hidden"] as? [Double])?.count == 25)
    }
  }

  /// One training at a time: a second page is told so while the first trains;
  /// pausing holds the iteration count, a step moves it by one.
  @Test func oneTrainingAtATimeAndPauseAndStep() async throws {
    let playground = Self.playgroundOnSmallData()
    try await Self.withSocket(playground) { inbound, outbound in
      var messages = inbound.messages(maxSize: 1 << 24).makeAsyncIterator()
      try await outbound.write(
        .text("{\"type\": \"step\", \"settings\": {\"iterations\": 400, \"heldOutPercent\": 0}}"))
      var received = try await Self.receive(&messages) { $0["state"] as? String == "paused" }
      #expect(received.filter { $0["type"] as? String == "iteration" }.map { $0["iteration"] as? Int } == [1])
      try await Self.withSocket(playground) { inbound2, outbound2 in
        var messages2 = inbound2.messages(maxSize: 1 << 24).makeAsyncIterator()
        try await outbound2.write(.text("{\"type\": \"train\"}"))
        let answer = try await Self.receive(&messages2, until: Self.isError)
        #expect((answer.last?["message"] as? String)?.contains("one training at a time") == true)
      }
      try await outbound.write(.text("{\"type\": \"step\"}"))
      received = try await Self.receive(&messages) { $0["state"] as? String == "paused" }
      #expect(received.filter { $0["type"] as? String == "iteration" }.map { $0["iteration"] as? Int } == [2])
      try await outbound.write(.text("{\"type\": \"reset\"}"))
      _ = try await Self.receive(&messages) { $0["state"] as? String == "idle" }
    }
  }
}
