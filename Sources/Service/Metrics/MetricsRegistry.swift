import Foundation
import Synchronization

/// Counters, gauges and histograms rendered in the Prometheus text exposition format
/// (version 0.0.4), with bounded label sets chosen by the caller (route patterns, never
/// raw paths or prompts).
public final class MetricsRegistry: Sendable {
    public enum Kind: String, Sendable { case counter, gauge, histogram }

    /// Label pairs in a fixed order, e.g. `[("route", "/healthz"), ("status", "200")]`.
    public typealias Labels = [(String, String)]

    private struct Family {
        var kind: Kind
        var help: String
        var buckets: [Double]
        var series: [String: Series] = [:]
    }

    private struct Series {
        var labels: String
        var value: Double = 0
        var bucketCounts: [Int] = []
        var sum: Double = 0
        var count: Int = 0
    }

    private let families = Mutex<[String: Family]>([:])
    private let order = Mutex<[String]>([])

    public static let defaultBuckets: [Double] = [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 120, 300]

    public init() {}

    /// Declares a metric family; call once per name before use.
    public func register(_ name: String, _ kind: Kind, help: String, buckets: [Double] = MetricsRegistry.defaultBuckets) {
        families.withLock { families in
            guard families[name] == nil else { return }
            families[name] = Family(kind: kind, help: help, buckets: kind == .histogram ? buckets : [])
            order.withLock { $0.append(name) }
        }
    }

    public func increment(_ name: String, labels: Labels = [], by amount: Double = 1) {
        update(name, labels) { series, _ in series.value += amount }
    }

    public func set(_ name: String, labels: Labels = [], to value: Double) {
        update(name, labels) { series, _ in series.value = value }
    }

    public func observe(_ name: String, labels: Labels = [], _ value: Double) {
        update(name, labels) { series, buckets in
            if series.bucketCounts.isEmpty { series.bucketCounts = Array(repeating: 0, count: buckets.count) }
            for (index, bound) in buckets.enumerated() where value <= bound { series.bucketCounts[index] += 1 }
            series.sum += value
            series.count += 1
        }
    }

    /// The value of a counter or gauge series (tests and the service's own checks).
    public func value(_ name: String, labels: Labels = []) -> Double {
        families.withLock { $0[name]?.series[Self.render(labels)]?.value ?? 0 }
    }

    /// The number of observations of a histogram series.
    public func observationCount(_ name: String, labels: Labels = []) -> Int {
        families.withLock { $0[name]?.series[Self.render(labels)]?.count ?? 0 }
    }

    private func update(_ name: String, _ labels: Labels, _ change: (inout Series, [Double]) -> Void) {
        let key = Self.render(labels)
        families.withLock { families in
            // Move the family out so its series dictionary is uniquely referenced and
            // updates in place (a copy would duplicate every series on each request).
            guard var family = families.removeValue(forKey: name) else { return }
            change(&family.series[key, default: Series(labels: key)], family.buckets)
            families[name] = family
        }
    }

    /// The exposition text.
    public func render() -> String {
        let names = order.withLock { $0 }
        return families.withLock { families in
            var text = ""
            for name in names {
                guard let family = families[name] else { continue }
                text += "# HELP \(name) \(family.help)\n# TYPE \(name) \(family.kind.rawValue)\n"
                for key in family.series.keys.sorted() {
                    guard let series = family.series[key] else { continue }
                    switch family.kind {
                    case .counter, .gauge:
                        text += "\(name)\(Self.braced(series.labels)) \(Self.format(series.value))\n"
                    case .histogram:
                        for (index, bound) in family.buckets.enumerated() {
                            let labels = Self.join(series.labels, "le=\"\(Self.format(bound))\"")
                            text += "\(name)_bucket{\(labels)} \(series.bucketCounts[index])\n"
                        }
                        text += "\(name)_bucket{\(Self.join(series.labels, "le=\"+Inf\""))} \(series.count)\n"
                        text += "\(name)_sum\(Self.braced(series.labels)) \(Self.format(series.sum))\n"
                        text += "\(name)_count\(Self.braced(series.labels)) \(series.count)\n"
                    }
                }
            }
            return text
        }
    }

    private static func render(_ labels: Labels) -> String {
        labels.map { "\($0.0)=\"\(escape($0.1))\"" }.joined(separator: ",")
    }

    private static func escape(_ value: String) -> String {
        value.replacingOccurrences(of: "\\", with: "\\\\").replacingOccurrences(of: "\"", with: "\\\"")
            .replacingOccurrences(of: "\n", with: "\\n")
    }

    private static func braced(_ labels: String) -> String { labels.isEmpty ? "" : "{\(labels)}" }

    private static func join(_ labels: String, _ extra: String) -> String { labels.isEmpty ? extra : "\(labels),\(extra)" }

    private static func format(_ value: Double) -> String {
        if value == value.rounded(), abs(value) < 1e15 { return String(Int64(value)) }
        return String(value)
    }
}
