import Foundation
import Testing

import NeuralNetworkLearning
import TestSupport

/// ex4 in a pseudo-terminal of a given size (util-linux `script`, with the
/// size set by `stty`): the digits and the hidden units take the whole
/// width, real pixels go out where the environment names a terminal that
/// shows them, and `NO_COLOR` / `TERM=dumb` stay plain.
@Suite(.serialized)
struct Ex4TerminalPictureTests {
  /// What ex4 wrote to a terminal of `columns`×`lines` with `environment`.
  func terminalRun(columns: Int, lines: Int, environment: [String: String?]) throws -> String {
    let directory = try TemporaryDirectory()
    let command = [
      ProgramRun.executable("ex4"), "--data", Fixture.path("octave-text/digits.txt.mat"), "--seed", "1",
      "--no-pause", "--max-iter", "2", "--output-dir", directory.file("out"),
    ].map { "'\($0)'" }.joined(separator: " ")
    let run = try ProgramRun.runShell(
      "script -qfec \"stty cols \(columns) rows \(lines); \(command)\" /dev/null",
      environment: environment.merging(["EX4_DATA_DIR": directory.path]) { $1 })
    #expect(run.status == 0, "\(run.standardError)")
    return run.standardOutput
  }

  /// The widths of the half-block lines, most common first.
  func blockLineWidths(_ text: String) -> [Int: Int] {
    // A terminal ends lines with CR LF, one Character in Swift.
    let plain = text.replacingOccurrences(of: "\u{1B}\\[[0-9;]*m", with: "", options: .regularExpression)
      .replacingOccurrences(of: "\r\n", with: "\n")
    var widths: [Int: Int] = [:]
    for line in plain.split(separator: "\n") where line.contains("▀") {
      widths[line.trimmingCharacters(in: .whitespacesAndNewlines).count, default: 0] += 1
    }
    return widths
  }

  @Test(arguments: [(80, 24), (160, 50)])
  func halfBlocksAcrossTheWindow(columns: Int, lines: Int) throws {
    let text = try terminalRun(
      columns: columns, lines: lines,
      environment: [
        "TERM": "xterm-256color", "NO_COLOR": nil, "KITTY_WINDOW_ID": nil, "TMUX": nil, "TERM_PROGRAM": nil,
      ])
    // The digits (30 of 4×4 pixels in 5 rows of 6: 26×31) and the hidden
    // units (25 of 4×4 in 5 rows of 5: 26×26), each resampled to columns − 1
    // wide, two picture rows a line.
    let width = Double(columns - 1)
    let digitLines = (Int((26 * width / 31).rounded()) + 1) / 2
    let unitLines = (columns - 1 + 1) / 2
    #expect(blockLineWidths(text)[columns - 1] == digitLines + unitLines, "\(blockLineWidths(text))")
    #expect(!text.contains("\u{1B}_G") && !text.contains("\u{1B}P"))
  }

  @Test func kittyWhereTheEnvironmentSaysKitty() throws {
    let text = try terminalRun(
      columns: 80, lines: 24, environment: ["TERM": "xterm-kitty", "NO_COLOR": nil, "TMUX": nil])
    #expect(text.components(separatedBy: "\u{1B}_Ga=T,f=100,c=79,q=2,").count == 3, "digits and hidden units")
  }

  @Test func plainWithNoColourOrADumbTerminal() throws {
    for environment: [String: String?] in [
      ["TERM": "xterm-kitty", "NO_COLOR": "1"], ["TERM": "dumb", "NO_COLOR": nil, "KITTY_WINDOW_ID": "1"],
    ] {
      let text = try terminalRun(columns: 80, lines: 24, environment: environment)
      #expect(!text.contains("\u{1B}_G") && !text.contains("\u{1B}[38;2") && !text.contains("▀"), "\(environment)")
      #expect(text.contains("@") || text.contains("#"), "\(environment): the plain ramp")
    }
  }
}
