import Foundation
import _ProcessControl

/// The processes a graded part started, found and ended when the part ends.
///
/// Each part's child is started with a marker in its environment
/// (``markerVariable``), which everything it starts inherits. The grader is
/// a child subreaper, so a descendant whose parent has died (a `setsid`
/// grandchild, say) is reparented to the grader rather than to init and stays
/// in reach; ``endAll(marker:root:)`` then kills every process that carries
/// the part's marker or descends from its child, session or group whatever,
/// until none is left.
package enum ProcessTree {
  /// The environment variable that marks a part's processes.
  package static let markerVariable = "EX4_GRADING_PART"

  /// Makes this process the child subreaper of its descendants (once).
  ///
  /// A grading program calls this at its start (`ex4 submit`, the
  /// playground); the grader does not, so that a process that only hosts it,
  /// such as a test runner, never becomes one: orphans reparented to it would
  /// stay zombies until it reaps them, and a runner that waits for any child
  /// (as Swift Testing's exit tests do) would see them. Without it a part's
  /// processes are still found by their mark and ended.
  package static func becomeSubreaper() { _ = subreaper }
  private static let subreaper: Bool = process_control_set_child_subreaper(1) == 0

  /// One process as `/proc` shows it.
  struct Entry {
    let pid: pid_t
    let parent: pid_t
    let isZombie: Bool
  }

  /// Every process in `/proc`, with its parent and whether it is a zombie.
  static func entries() -> [Entry] {
    guard let names = try? FileManager.default.contentsOfDirectory(atPath: "/proc") else { return [] }
    return names.compactMap { name -> Entry? in
      guard let pid = pid_t(name), let stat = try? String(contentsOfFile: "/proc/\(name)/stat", encoding: .utf8),
        let close = stat.lastIndex(of: ")")
      else { return nil }
      // "pid (command) state ppid …": the command may hold spaces and parentheses.
      let fields = stat[stat.index(after: close)...].split(separator: " ")
      guard fields.count >= 2, let parent = pid_t(fields[1]) else { return nil }
      return Entry(pid: pid, parent: parent, isZombie: fields[0] == "Z")
    }
  }

  /// Whether process `pid`'s environment holds `marker` as ``markerVariable``.
  static func carries(_ pid: pid_t, marker: String) -> Bool {
    guard let environment = FileManager.default.contents(atPath: "/proc/\(pid)/environ") else { return false }
    let needle = Data("\(markerVariable)=\(marker)".utf8)
    return environment.split(separator: 0).contains { Data($0) == needle }
  }

  /// The live processes of a part: those carrying `marker` and those
  /// descending from `root`, never this process.
  static func members(marker: String, root: pid_t?) -> (live: [pid_t], zombieChildren: [pid_t]) {
    let all = entries()
    let me = getpid()
    var children: [pid_t: [pid_t]] = [:]
    for entry in all { children[entry.parent, default: []].append(entry.pid) }
    var found = Set(all.filter { $0.pid != me && !$0.isZombie && carries($0.pid, marker: marker) }.map(\.pid))
    var queue = Array(found) + (root.map { [$0] } ?? [])
    while let next = queue.popLast() {
      for child in children[next] ?? [] where child != me && found.insert(child).inserted { queue.append(child) }
    }
    let zombies = Set(all.filter(\.isZombie).map(\.pid))
    let zombieChildren = all.filter { $0.isZombie && $0.parent == me && found.contains($0.pid) }.map(\.pid)
    return (found.subtracting(zombies).sorted(), zombieChildren)
  }

  /// Kills every process of the part (SIGKILL) until none is left, and
  /// reaps those that were reparented to this process.
  package static func endAll(marker: String, root: pid_t? = nil) {
    for _ in 0..<200 {
      let (live, zombies) = members(marker: marker, root: root)
      for pid in zombies { reap(pid) }
      if live.isEmpty { return }
      for pid in live { kill(pid, SIGKILL) }
      usleep(2_000)
      for pid in live { reap(pid) }
    }
  }

  /// Collects `pid`'s status if it is an ended child of this process.
  private static func reap(_ pid: pid_t) {
    var status: Int32 = 0
    while waitpid(pid, &status, WNOHANG) == -1 && errno == EINTR {}
  }

  /// The tasks (processes and threads) that the user `uid` runs now, as
  /// `RLIMIT_NPROC` counts them.
  package static func tasks(ofUser uid: uid_t) -> Int {
    guard let names = try? FileManager.default.contentsOfDirectory(atPath: "/proc") else { return 0 }
    var count = 0
    for name in names where pid_t(name) != nil {
      guard let status = try? String(contentsOfFile: "/proc/\(name)/status", encoding: .utf8) else { continue }
      var owner: uid_t?
      var threads = 1
      for line in status.split(separator: "\n") {
        if line.hasPrefix("Uid:") {
          owner = line.split(whereSeparator: \.isWhitespace).dropFirst().first.flatMap { uid_t($0) }
        }
        if line.hasPrefix("Threads:") {
          threads = line.split(whereSeparator: \.isWhitespace).last.flatMap { Int($0) } ?? 1
        }
      }
      if owner == uid { count += threads }
    }
    return count
  }

  /// Makes the process dumpable again after a change of user (for the backtracer).
  static func makeDumpable() { _ = process_control_set_dumpable(1) }
}
