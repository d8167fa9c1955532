import Foundation
import PlaygroundServer
import TestSupport
import Testing
import WSClient

/// `--student`: the student's functions train in a child process; a trap or
/// an endless loop in them is reported with its file and line, as `ex4
/// submit` reports it, and the server goes on serving.
@Suite struct PlaygroundStudentTests {
  static func playground(mistake: String, iterationLimit: Double = 60) -> Playground {
    let source = StudentCostSource(
      executable: ProgramRun.executable("playground-planted"), arguments: [mistake], dataPath: nil,
      iterationLimit: iterationLimit, sourcePathMarker: "/Tests/PlaygroundPlanted/")
    return Playground(
      access: PlaygroundAccess(otherOrigins: ["ws://localhost"]), data: PlaygroundSocketTests.smallData(),
      costSource: source)
  }

  /// Trains until the run ends; the error it reported, and the iterations seen.
  static func train(
    _ messages: inout WebSocketInboundMessageStream.AsyncIterator, _ outbound: WebSocketOutboundWriter
  ) async throws -> (error: String?, iterations: Int) {
    try await outbound.write(.text("{\"type\": \"train\", \"settings\": {\"heldOutPercent\": 0}}"))
    let received = try await PlaygroundSocketTests.receive(&messages) {
      ["idle", "finished"].contains($0["state"] as? String)
    }
    return (
      received.first(where: PlaygroundSocketTests.isError)?["message"] as? String,
      received.filter { $0["type"] as? String == "iteration" }.count
    )
  }

  @Test func aTrapIsReportedWithItsFileAndLineAndTheServerKeepsServing() async throws {
    try await PlaygroundSocketTests.withSocket(Self.playground(mistake: "trap")) { inbound, outbound in
      var messages = inbound.messages(maxSize: 1 << 24).makeAsyncIterator()
      // The planted trap's line, read from its source: the message must name it.
      let planted = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .appendingPathComponent("PlaygroundPlanted/PlantedTraining.swift")
      let source = try String(contentsOf: planted, encoding: .utf8).split(
        separator: "\n", omittingEmptySubsequences: false)
      let trapLine = try #require(source.firstIndex { $0.contains("// the planted trap") }) + 1
      for _ in 1...2 {
        let (error, _) = try await Self.train(&messages, outbound)
        let message = try #require(error)
        #expect(message.contains("PlantedTraining.swift:\(trapLine)"), "\(message)")
        #expect(message.contains("Index out of range"), "\(message)")
      }
    }
  }

  @Test func anEndlessLoopIsStopped() async throws {
    try await PlaygroundSocketTests.withSocket(Self.playground(mistake: "loop", iterationLimit: 3)) {
      inbound, outbound in
      var messages = inbound.messages(maxSize: 1 << 24).makeAsyncIterator()
      let (error, _) = try await Self.train(&messages, outbound)
      #expect(error?.contains("did not finish within 3 s") == true, "\(error ?? "no error")")
    }
  }
}
