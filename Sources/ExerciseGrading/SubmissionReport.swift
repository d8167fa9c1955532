import Foundation
import OctaveCore

/// The grader's verdict on every part, and the ungraded checks of
/// randInitializeWeights, printed as the course's grader prints its table.
package struct SubmissionReport: Sendable {
  package let parts: [PartResult]
  package let initialisation: InitialisationCheck

  package var total: Int { parts.reduce(0) { $0 + $1.score } }

  package func part(_ part: GradedPart) -> PartResult { parts.first { $0.part == part }! }

  /// The table, then what went wrong in each part that failed, then the
  /// ungraded checks. `subject` says whose functions were graded.
  package func rendered(subject: String) -> String {
    var lines = ["== Exercise 4, graded offline: \(subject)", "=="]
    let nameWidth = 43
    func row(_ name: String, _ score: String, _ feedback: String) -> String {
      let padded = String(repeating: " ", count: max(nameWidth - name.count, 0)) + name
      return "== \(padded) | \(score) | \(feedback)".trimmingTrailingSpaces()
    }
    lines.append(row("Part Name", "    Score", "Feedback"))
    lines.append(row("---------", "    -----", "--------"))
    for result in parts {
      lines.append(row(result.part.title, score(result.score, of: result.part.points), feedback(result)))
    }
    lines.append("== " + String(repeating: " ", count: nameWidth - 9) + String(repeating: "-", count: 32))
    lines.append(row("", score(total, of: 100), ""))
    lines.append("")

    let failed = parts.filter { !$0.passed }
    if !failed.isEmpty {
      lines.append("What the grader found:")
      var said: [String: Int] = [:]
      for result in failed {
        lines.append("")
        let lambda = result.part.lambda.map { ", λ = \(String(format: "%g", $0))" } ?? ""
        lines.append("Part \(result.part.rawValue), \(result.part.title) (\(result.part.file)\(lambda)):")
        if let failure = result.failure {
          lines.append(contentsOf: wrapped(failure.description + ".", indent: "  "))
          if let hint = Assessment.hint(behind: failure, in: result.part) {
            lines.append(contentsOf: wrapped(hint.text, indent: "  "))
            if let mistake = hint.mistake { lines.append(contentsOf: wrapped(mistake.explanation, indent: "  ")) }
          }
          continue
        }
        for finding in result.findings {
          let text: String
          switch finding.verdict {
          case .correct:
            text = "\(finding.quantity) is right."
          case .mistake(let mistake, let detail):
            let explanation = [mistake.explanation, detail].compactMap { $0 }.joined(separator: " ")
            let key = result.part.file + explanation
            if let earlier = said[key] {
              text = "\(finding.quantity): \(mistake.summary), as in part \(earlier)."
            } else {
              said[key] = result.part.rawValue
              text = "\(finding.quantity): \(explanation)"
            }
          case .wrong(let description):
            text = "\(finding.quantity): \(description)"
          }
          lines.append(contentsOf: wrapped(text, indent: "  "))
        }
      }
      lines.append("")
    }

    lines.append("Not graded, checked here (randInitializeWeights.swift):")
    if let failure = initialisation.failure {
      lines.append(contentsOf: wrapped(failure.description + ".", indent: "  "))
    } else {
      for item in initialisation.items {
        lines.append(contentsOf: wrapped((item.passed ? "ok  " : "NO  ") + item.text, indent: "  ", hanging: "      "))
      }
    }
    // What a student's code printed (a trap's message) is in these lines:
    // its control characters are spelled out, so that it cannot move the
    // cursor, erase a line or colour a forged score on a terminal.
    return lines.map(printable).joined(separator: "\n") + "\n"
  }

  private func score(_ points: Int, of total: Int) -> String {
    String(format: "%3d / %3d", points, total)
  }

  /// The table's feedback for a part: one line.
  private func feedback(_ result: PartResult) -> String {
    if result.passed { return "Correct" }
    if let failure = result.failure {
      return failure.summary + (Assessment.mistake(behind: failure, in: result.part).map { ": \($0.summary)" } ?? "")
    }
    let wrong = result.findings.filter { $0.verdict != .correct }
    if wrong.count == result.findings.count, Set(wrong.map(\.verdict)).count == 1, let first = wrong.first {
      return summary(first.verdict)
    }
    return wrong.map { "\($0.quantity): \(summary($0.verdict))" }.joined(separator: "; ")
  }

  private func summary(_ verdict: Verdict) -> String {
    switch verdict {
    case .correct: "right"
    case .mistake(let mistake, _): mistake.summary
    case .wrong: "wrong (see below)"
    }
  }
}

/// `text` cut into lines of at most 80 characters, the first after
/// `indent`, the rest after `hanging` (the same indent when not given).
func wrapped(_ text: String, indent: String, hanging: String? = nil) -> [String] {
  let width = 80
  var lines: [String] = []
  var line = indent
  var lineHasWord = false
  for word in text.split(separator: " ", omittingEmptySubsequences: false) {
    if lineHasWord && line.count + 1 + word.count > width {
      lines.append(line)
      line = (hanging ?? indent) + word
    } else {
      line += (lineHasWord ? " " : "") + word
    }
    lineHasWord = true
  }
  lines.append(line)
  return lines
}

extension String {
  fileprivate func trimmingTrailingSpaces() -> String {
    var s = self
    while s.last == " " { s.removeLast() }
    return s
  }
}
