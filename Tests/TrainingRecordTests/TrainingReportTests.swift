import Foundation
import Testing

@testable import ExerciseData
@testable import TrainingRecord
import NeuralNetworkLearning
import Pictures
import TestSupport

/// The HTML report: escaping, embedded pictures, the transcript's parts, never replacing a student's file.
@Suite struct TrainingReportTests {
  private let hostile = "<script>alert(\"x\")</script> & &lt;b&gt; &#60; 'q'"

  @Test("every text is escaped: titles, facts, printed text, captions, alt text, table cells")
  func escaping() throws {
    let directory = try TemporaryDirectory()
    let picture = directory.file("p.png")
    try PNGImage.writeGrey(Matrix([[1, -1]]), to: picture, scale: 1)
    let report = TrainingReport(
      title: hostile, facts: [(hostile, hostile)],
      sections: [
        TrainingReport.Section(
          title: hostile,
          blocks: [
            .printed(hostile), .paragraph(hostile),
            .picture(TrainingReport.Picture(path: picture, caption: hostile)),
            .table(TrainingReport.Table(caption: hostile, header: [hostile], rows: [[hostile]], highlighted: [0])),
          ])
      ])
    let html = try report.html()
    #expect(!html.contains("<script"))
    #expect(!html.contains("alert(\"x\")\""))
    // Shown as written: the entity-like text is escaped again, not passed through.
    let shown = "&lt;script&gt;alert(\"x\")&lt;/script&gt; &amp; &amp;lt;b&amp;gt; &amp;#60; 'q'"
    #expect(html.components(separatedBy: shown).count - 1 >= 6, "text nodes")
    #expect(
      html.contains("alt=\"&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt; &amp; &amp;lt;b&amp;gt; &amp;#60; 'q'\""))
    #expect(html.contains("<tr class=\"best\">"))
  }

  @Test("pictures are embedded as data: URIs; nothing refers to the network")
  func selfContained() throws {
    let directory = try TemporaryDirectory()
    let picture = directory.file("p.png")
    try PNGImage.writeGrey(Matrix([[1, -1], [0, 0.5]]), to: picture, scale: 3)
    let bytes = try Data(contentsOf: URL(fileURLWithPath: picture))
    let report = TrainingReport(
      title: "t",
      sections: [
        TrainingReport.Section(title: "s", blocks: [.picture(TrainingReport.Picture(path: picture, caption: "c"))])
      ])
    let html = try report.html()
    #expect(html.contains("src=\"data:image/png;base64,\(bytes.base64EncodedString())\""))
    #expect(!html.contains("http://") && !html.contains("https://") && !html.contains("<script"))
    #expect(html.hasPrefix("<!DOCTYPE html>"))
    #expect(html.contains("<meta name=\"generator\" content=\"\(TrainingReport.generator)\""))

    let missing = TrainingReport(
      title: "t",
      sections: [
        TrainingReport.Section(
          title: "s", blocks: [.picture(TrainingReport.Picture(path: directory.file("none.png"), caption: "c"))])
      ])
    #expect(throws: InputError.self) { try missing.html() }
  }

  @Test("a report replaces an earlier report, never another file")
  func replacing() throws {
    let directory = try TemporaryDirectory()
    let path = directory.file("report.html")
    try TrainingReport(title: "first").write(to: path)
    try TrainingReport(title: "second").write(to: path)
    #expect(try String(contentsOfFile: path, encoding: .utf8).contains("<h1>second</h1>"))

    let students = directory.file("mine.html")
    try Data("<html><body>my notes</body></html>".utf8).write(to: URL(fileURLWithPath: students))
    do {
      try TrainingReport(title: "t").write(to: students)
      Issue.record("a student's page was replaced")
    } catch let error as InputError {
      #expect(error.description.contains("mine.html: already exists and was not written by ex4; not replaced"))
    }
    #expect(try String(contentsOfFile: students, encoding: .utf8) == "<html><body>my notes</body></html>")
  }

  @Test("a transcript's parts become sections titled by the course's headings, text as the screen showed it")
  func sectionsFromParts() {
    let parts: [OutputTranscript.Part] = [
      [
        .text("Loading and Visualizing Data ...\nWrote 100 random examples\n"),
        .picture(path: "d.png", caption: "digits"),
      ],
      [.text("\nLoading Saved Neural Network Parameters ...\n\nFeedforward Using Neural Network ...\nCost 0.29\n")],
      [.text("\nTraining Neural Network... \nIteration     1 | Cost: 3.3\rIteration     2 | Cost: 3.2\r\n")],
      [.text("\n\nTraining Set Accuracy: 95.88\n")],
    ]
    let sections = TrainingReport.sections(from: parts)
    #expect(
      sections.map(\.title) == [
        "Loading and Visualizing Data ...",
        "Loading Saved Neural Network Parameters ... · Feedforward Using Neural Network ...",
        "Training Neural Network...", "Training Set Accuracy: 95.88",
      ])
    if case .picture(let picture) = sections[0].blocks[1] {
      #expect(picture.path == "d.png" && picture.caption == "digits")
    } else {
      Issue.record("the picture is not in place")
    }
    if case .printed(let text) = sections[2].blocks[0] {
      #expect(text == "Training Neural Network... \nIteration     2 | Cost: 3.2")
    } else {
      Issue.record("the training part has no text")
    }
  }

  @Test("screen text: a carriage return starts the line again, escape sequences go")
  func screenText() {
    #expect(OutputTranscript.Event.screenText("a\rbc\rd\r\n") == "d\n")
    #expect(OutputTranscript.Event.screenText("x\u{1B}[38;2;1;2;3mred\u{1B}[0m\n") == "xred\n")
    #expect(OutputTranscript.Event.screenText("\n\u{1B}[Jcurve\n\u{1B}[3A") == "\ncurve\n")
  }
}
