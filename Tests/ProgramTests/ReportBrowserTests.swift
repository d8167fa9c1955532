import Foundation
import Testing

import NeuralNetworkLearning
import Pictures
import TestSupport

/// ex4's report opened in a real browser, headless Chromium: the page
/// renders, every picture decodes, the console stays quiet.
@Suite(.serialized)
struct ReportBrowserTests {
  /// Chromium's path: `$CHROMIUM`, or `chromium` (Debian's package) or `chromium-browser` on the PATH.
  static let chromium: String? = {
    if let path = ProcessInfo.processInfo.environment["CHROMIUM"], FileManager.default.isExecutableFile(atPath: path) {
      return path
    }
    let folders = (ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin:/bin").split(separator: ":")
    for name in ["chromium", "chromium-browser"] {
      for folder in folders {
        let path = "\(folder)/\(name)"
        if FileManager.default.isExecutableFile(atPath: path) { return path }
      }
    }
    return nil
  }()

  static let noChromium: Comment =
    "skipped: no Chromium to load the report in (install Debian's package: apt-get install -y chromium; .ci/run does)"

  /// Runs Chromium headless on `url` with `arguments`, at most `timeout` seconds; its standard output and error.
  static func chromium(_ arguments: [String], url: String, profile: String, timeout: Double = 90) throws -> (
    status: Int32, output: String, error: String
  ) {
    let process = Process()
    process.executableURL = URL(fileURLWithPath: chromium!)
    process.arguments =
      [
        "--headless", "--no-sandbox", "--disable-gpu", "--no-first-run", "--user-data-dir=\(profile)",
        // No network: every name resolves to nothing.
        "--host-resolver-rules=MAP * ~NOTFOUND", "--enable-logging=stderr", "--v=0",
      ] + arguments + [url]
    let outputFile = profile + ".out"
    let errorFile = profile + ".err"
    _ = FileManager.default.createFile(atPath: outputFile, contents: nil)
    _ = FileManager.default.createFile(atPath: errorFile, contents: nil)
    process.standardOutput = try FileHandle(forWritingTo: URL(fileURLWithPath: outputFile))
    process.standardError = try FileHandle(forWritingTo: URL(fileURLWithPath: errorFile))
    process.standardInput = FileHandle.nullDevice
    try process.run()
    let deadline = Date().addingTimeInterval(timeout)
    while process.isRunning && Date() < deadline { Thread.sleep(forTimeInterval: 0.1) }
    if process.isRunning {
      process.terminate()
      process.waitUntilExit()
      Issue.record("Chromium did not finish within \(timeout) s")
    }
    return (
      process.terminationStatus, try String(contentsOfFile: outputFile, encoding: .utf8),
      try String(contentsOfFile: errorFile, encoding: .utf8)
    )
  }

  /// The console messages Chromium logged (`…:CONSOLE…] "message", source: …`).
  static func consoleMessages(_ log: String) -> [String] {
    log.split(separator: "\n").filter { $0.contains(":CONSOLE") }.map(String.init)
  }

  /// A report written by ex4 (on the 8-bit course data when present, the built-in digits otherwise), and the pictures' sizes.
  static func writeReport(in dir: TemporaryDirectory) throws -> (path: String, pictures: [String: (Int, Int)]) {
    var arguments = [
      "--seed", "2", "--no-pause", "--max-iter", "10", "--validation", "20%", "--report", "report.html",
      "--output-dir", dir.file("out"),
    ]
    if CourseFile.has("ex4data1-8bit.mat") { arguments += ["--data", CourseFile.path("ex4data1-8bit.mat")] }
    let run = try ProgramRun.run("ex4", arguments)
    #expect(run.status == 0, "ex4 failed: \(run.standardError)")
    var sizes: [String: (Int, Int)] = [:]
    for name in ["digits.png", "cost.png", "hidden-units.png", "confusion.png", "misclassified.png"] {
      let picture = try PNGImage.readGrey(dir.file("out/\(name)"))
      sizes[name] = (picture.columns, picture.rows)
    }
    return (dir.file("out/report.html"), sizes)
  }

  @Test(
    "the report renders: a screenshot of the window's size, with the pictures drawn in it",
    .enabled(if: chromium != nil, noChromium))
  func screenshot() throws {
    let dir = try TemporaryDirectory()
    let (report, _) = try Self.writeReport(in: dir)
    let shot = dir.file("shot.png")
    let result = try Self.chromium(
      ["--hide-scrollbars", "--window-size=1000,1600", "--screenshot=\(shot)"], url: "file://\(report)",
      profile: dir.file("profile"))
    #expect(result.status == 0, "chromium: \(result.error.suffix(2000))")
    #expect(Self.consoleMessages(result.error).isEmpty, "console: \(Self.consoleMessages(result.error))")
    let picture = try PNGImage.readGrey(shot)
    #expect(picture.columns == 1000 && picture.rows == 1600)
    // Without its pictures the top of the page is text on a near-white
    // background; the 100 digits (grey tiles, black padding) make it dark.
    let dark = picture.values.filter { $0 < 140 }.count
    #expect(Double(dark) / Double(picture.count) > 0.1, "only \(dark) dark pixels: are the pictures drawn?")
  }

  @Test(
    "every picture decodes at its file's size; no console message; and the console check itself sees an error",
    .enabled(if: chromium != nil, noChromium))
  func picturesDecode() throws {
    let dir = try TemporaryDirectory()
    let (report, sizes) = try Self.writeReport(in: dir)
    let html = try String(contentsOfFile: report, encoding: .utf8)
    #expect(!html.contains("<script"), "the report itself needs no script")

    // The page as it is: no console message at all.
    let plain = try Self.chromium(
      ["--virtual-time-budget=5000", "--dump-dom"], url: "file://\(report)", profile: dir.file("profile-plain"))
    #expect(plain.status == 0)
    #expect(Self.consoleMessages(plain.error).isEmpty, "console: \(Self.consoleMessages(plain.error))")
    #expect(plain.output.contains("<h1>ex4: neural network learning, a run</h1>"))

    // A copy with a probe added (the test's script, not the report's): it
    // writes each image's decoded size into the page, and logs one message
    // so that the console check is seen to work.
    let probe = """
      <script>
      window.addEventListener('load', function () {
        var images = Array.from(document.images);
        document.body.setAttribute('data-images', images.map(function (i) {
          return (i.complete ? '' : 'incomplete ') + i.naturalWidth + 'x' + i.naturalHeight;
        }).join(','));
        console.error('probe: loaded');
      });
      </script>
      """
    let copy = dir.file("out/probed.html")
    try html.replacingOccurrences(of: "</body>", with: probe + "</body>").write(
      toFile: copy, atomically: true, encoding: .utf8)
    let probed = try Self.chromium(
      ["--virtual-time-budget=10000", "--run-all-compositor-stages-before-draw", "--dump-dom"], url: "file://\(copy)",
      profile: dir.file("profile-probe"))
    #expect(probed.status == 0)
    let messages = Self.consoleMessages(probed.error)
    #expect(messages.count == 1 && messages[0].contains("probe: loaded"), "console: \(messages)")
    let marker = try #require(
      probed.output.range(of: "data-images=\"[^\"]*\"", options: .regularExpression), "the probe did not run")
    let decoded = probed.output[marker].dropFirst("data-images=\"".count).dropLast().split(separator: ",").map(
      String.init)
    // In the page's order: digits, cost, hidden units, confusion, misclassified.
    let expected = ["digits.png", "cost.png", "hidden-units.png", "confusion.png", "misclassified.png"].map {
      "\(sizes[$0]!.0)x\(sizes[$0]!.1)"
    }
    #expect(decoded == expected)
  }
}
