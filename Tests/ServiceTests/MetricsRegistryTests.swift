import Foundation
import Testing
@testable import Service

@Suite("MetricsRegistry: Prometheus text exposition")
struct MetricsRegistryTests {
    @Test func countersAndGauges() {
        let registry = MetricsRegistry()
        registry.register("requests_total", .counter, help: "Requests.")
        registry.register("queue_size", .gauge, help: "Queue.")
        registry.increment("requests_total", labels: [("route", "/a"), ("status", "200")])
        registry.increment("requests_total", labels: [("route", "/a"), ("status", "200")], by: 2)
        registry.increment("requests_total", labels: [("route", "/b"), ("status", "500")])
        registry.set("queue_size", to: 3)
        registry.set("queue_size", to: 1.5)
        registry.increment("never_registered")
        #expect(registry.value("requests_total", labels: [("route", "/a"), ("status", "200")]) == 3)
        #expect(registry.value("queue_size") == 1.5)
        #expect(registry.render() == """
            # HELP requests_total Requests.
            # TYPE requests_total counter
            requests_total{route="/a",status="200"} 3
            requests_total{route="/b",status="500"} 1
            # HELP queue_size Queue.
            # TYPE queue_size gauge
            queue_size 1.5

            """)
    }

    @Test func histogramBucketsAreCumulative() {
        let registry = MetricsRegistry()
        registry.register("duration_seconds", .histogram, help: "Duration.", buckets: [0.1, 1, 10])
        for value in [0.05, 0.1, 0.5, 5, 50] { registry.observe("duration_seconds", labels: [("task", "t")], value) }
        #expect(registry.observationCount("duration_seconds", labels: [("task", "t")]) == 5)
        #expect(registry.render() == """
            # HELP duration_seconds Duration.
            # TYPE duration_seconds histogram
            duration_seconds_bucket{task="t",le="0.1"} 2
            duration_seconds_bucket{task="t",le="1"} 3
            duration_seconds_bucket{task="t",le="10"} 4
            duration_seconds_bucket{task="t",le="+Inf"} 5
            duration_seconds_sum{task="t"} 55.65
            duration_seconds_count{task="t"} 5

            """)
    }

    @Test func labelValuesAreEscaped() {
        let registry = MetricsRegistry()
        registry.register("m", .gauge, help: "M.")
        registry.set("m", labels: [("v", "a\"b\\c\nd")], to: 1)
        #expect(registry.render().contains("m{v=\"a\\\"b\\\\c\\nd\"} 1\n"))
    }

    @Test func registeringTwiceKeepsTheFirstDeclaration() {
        let registry = MetricsRegistry()
        registry.register("x", .counter, help: "First.")
        registry.register("x", .gauge, help: "Second.")
        #expect(registry.render() == "# HELP x First.\n# TYPE x counter\n")
    }

    @Test func serviceFamiliesAreAllDeclared() {
        let registry = MetricsRegistry()
        ServiceMetrics.register(in: registry)
        let text = registry.render()
        for name in [ServiceMetrics.requests, ServiceMetrics.requestDuration, ServiceMetrics.connections, ServiceMetrics.queueDepth,
                     ServiceMetrics.queueCapacity, ServiceMetrics.jobsInFlight, ServiceMetrics.jobs, ServiceMetrics.jobDuration,
                     ServiceMetrics.denoisingSteps, ServiceMetrics.modelBytes, ServiceMetrics.buildInfo,
                     ServiceMetrics.residentMemory, ServiceMetrics.openFileDescriptors, ServiceMetrics.startTime] {
            #expect(text.contains("# TYPE \(name) "), "\(name)")
        }
        #expect(ServiceMetrics.residentMemoryBytes() > 0)
        #expect(ServiceMetrics.openFileDescriptorCount() > 0)
    }

    @Test func concurrentUpdatesAreNotLost() {
        let registry = MetricsRegistry()
        registry.register("c", .counter, help: "C.")
        DispatchQueue.concurrentPerform(iterations: 8) { _ in
            for _ in 0..<1000 { registry.increment("c") }
        }
        #expect(registry.value("c") == 8000)
    }
}
