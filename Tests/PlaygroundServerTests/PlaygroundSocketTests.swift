import ExerciseData
import Foundation
import NeuralNetworkLearning
import PlaygroundServer
import TestSupport
import Testing

/// The playground's WebSocket on a live server on 127.0.0.1: who may open
/// it, what it answers to bad messages, and the numbers it streams.
///
/// A refused handshake is answered as any request the rules refuse, with
/// the rule's status and reason, where the page's own gets 101.
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

  static func playground(data: PlaygroundData = smallData()) -> Playground {
    Playground(access: PlaygroundAccess(), data: data)
  }

  /// The client's SHA-1 against RFC 6455's own example of a handshake, so
  /// that a wrong one shows here and not only as every handshake failing.
  @Test func theClientsAcceptValueIsRFC6455s() {
    #expect(LoopbackWebSocket.acceptValue(forKey: "dGhlIHNhbXBsZSBub25jZQ==") == "s3pPLMBiTxaQ9kYGzzhZRbK+xOo=")
  }

  @Test(arguments: ["http://evil.example", "http://127.0.0.1:1", "null", "https://localhost"])
  func aHandshakeFromAnotherOriginIsRefused(origin: String) async throws {
    try await withLivePlayground(Self.playground()) { live in
      let refused = try await #require(throws: WebSocketRefused.self) { try await live.webSocket(origin: origin) }
      #expect(refused.status == 403)
      #expect(refused.body.contains("for the playground's own page only"), "\(refused.body)")
    }
  }

  @Test func aHandshakeWithoutTheCookieIsRefused() async throws {
    try await withLivePlayground(Self.playground()) { live in
      _ = try await live.webSocket()  // with it, the same handshake opens
      let refused = try await #require(throws: WebSocketRefused.self) { try await live.webSocket(withCookie: false) }
      #expect(refused.status == 401)
      #expect(refused.body.contains("Open the playground with the URL it printed"), "\(refused.body)")
    }
  }

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
    try await withLivePlayground(Self.playground()) { live in
      let socket = try await live.webSocket()
      _ = try await socket.receive { $0["type"] as? String == "hello" }
      for text in bad {
        try await socket.send(text: text)
        let answer = try await socket.receive { isError($0) || $0["type"] as? String == "guess-error" }
        let message = try #require(answer.last?["message"] as? String, "no error for \(text.prefix(60))")
        #expect(!message.isEmpty)
      }
      // The last one was too large: the answer says so.
      try await socket.send(text: bad.last!)
      let answer = try await socket.receive(until: isError)
      #expect((answer.last?["message"] as? String)?.contains("64 KB") == true)
      try await socket.send(binary: Array("{}".utf8))
      #expect(try await socket.receive(until: isError).last?["message"] as? String == "messages are JSON text")
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

    try await withLivePlayground(Self.playground(data: data)) { live in
      let socket = try await live.webSocket()
      try await socket.send(text: "{\"type\": \"train\", \"settings\": {\"seed\": 1}}")
      let received = try await socket.receive { $0["state"] as? String == "finished" || isError($0) }
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
      try await socket.send(text: drawing)
      let guess = try await socket.receive { $0["type"] as? String == "guess" || isError($0) }.last
      #expect(guess?["digit"] as? Int == 1)
      #expect((guess?["outputs"] as? [Double])?.count == 10)
      #expect((guess?["hidden"] as? [Double])?.count == 25)
    }
  }

  /// One training at a time: a second page is told so while the first trains;
  /// pausing holds the iteration count, a step moves it by one.
  @Test func oneTrainingAtATimeAndPauseAndStep() async throws {
    try await withLivePlayground(Self.playground()) { live in
      let socket = try await live.webSocket()
      try await socket.send(text: "{\"type\": \"step\", \"settings\": {\"iterations\": 400, \"heldOutPercent\": 0}}")
      var received = try await socket.receive { $0["state"] as? String == "paused" }
      #expect(received.filter { $0["type"] as? String == "iteration" }.map { $0["iteration"] as? Int } == [1])
      do {
        let second = try await live.webSocket()
        try await second.send(text: "{\"type\": \"train\"}")
        let answer = try await second.receive(until: isError)
        #expect((answer.last?["message"] as? String)?.contains("one training at a time") == true)
      }
      try await socket.send(text: "{\"type\": \"step\"}")
      received = try await socket.receive { $0["state"] as? String == "paused" }
      #expect(received.filter { $0["type"] as? String == "iteration" }.map { $0["iteration"] as? Int } == [2])
      try await socket.send(text: "{\"type\": \"reset\"}")
      _ = try await socket.receive { $0["state"] as? String == "idle" }
    }
  }
}
