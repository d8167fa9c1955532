import Foundation
import PlaygroundServer
import TestSupport
import Testing

/// `--student`: the student's functions train in a child process; a trap or
/// an endless loop in them is reported with its file and line, as `ex4
/// submit` reports it, and the server goes on serving. Over the WebSocket of
/// a live server on 127.0.0.1.
@Suite struct PlaygroundStudentTests {
  static func playground(mistake: String, iterationLimit: Double = 60) -> Playground {
    let source = StudentCostSource(
      executable: ProgramRun.executable("playground-planted"), arguments: [mistake], dataPath: nil,
      iterationLimit: iterationLimit, sourcePathMarker: "/Tests/PlaygroundPlanted/")
    return Playground(access: PlaygroundAccess(), data: PlaygroundSocketTests.smallData(), costSource: source)
  }

  /// Trains until the run ends; the error it reported, and the iterations seen.
  static func train(_ socket: LoopbackWebSocket) async throws -> (error: String?, iterations: Int) {
    try await socket.send(text: "{\"type\": \"train\", \"settings\": {\"heldOutPercent\": 0}}")
    let received = try await socket.receive { ["idle", "finished"].contains($0["state"] as? String) }
    return (
      received.first(where: isError)?["message"] as? String,
      received.filter { $0["type"] as? String == "iteration" }.count
    )
  }

  @Test func aTrapIsReportedWithItsFileAndLineAndTheServerKeepsServing() async throws {
    // The planted trap's line, read from its source: the message must name it.
    let planted = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
      .appendingPathComponent("PlaygroundPlanted/PlantedTraining.swift")
    let source = try String(contentsOf: planted, encoding: .utf8).split(
      separator: "\n", omittingEmptySubsequences: false)
    let trapLine = try #require(source.firstIndex { $0.contains("// the planted trap") }) + 1
    try await withLivePlayground(Self.playground(mistake: "trap")) { live in
      let socket = try await live.webSocket()
      for _ in 1...2 {
        let (error, _) = try await Self.train(socket)
        let message = try #require(error)
        #expect(message.contains("PlantedTraining.swift:\(trapLine)"), "\(message)")
        #expect(message.contains("Index out of range"), "\(message)")
      }
      // A new connection is served too.
      let another = try await live.webSocket()
      #expect(try await another.receive { $0["type"] as? String == "hello" }.last?["type"] as? String == "hello")
    }
  }

  @Test func anEndlessLoopIsStopped() async throws {
    try await withLivePlayground(Self.playground(mistake: "loop", iterationLimit: 3)) { live in
      let (error, _) = try await Self.train(try await live.webSocket())
      #expect(error?.contains("did not finish within 3 s") == true, "\(error ?? "no error")")
    }
  }
}
