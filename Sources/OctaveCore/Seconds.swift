/// Seconds elapsed on a `ContinuousClock` duration, as a `Double`.
package func seconds(_ duration: Duration) -> Double {
  Double(duration.components.seconds) + Double(duration.components.attoseconds) * 1e-18
}
