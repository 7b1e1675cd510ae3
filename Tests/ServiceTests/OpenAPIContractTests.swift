import Foundation
import HTTP
import Logging
import Testing
import Yams
@testable import Service

/// `openapi.yaml` is the contract: its operations and the router's routes must be the
/// same set of (method, path) pairs, so neither can drift from the other.
@Suite struct OpenAPIContractTests {
    static let specificationURL = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        .appendingPathComponent("openapi.yaml")

    static func specifiedOperations() throws -> Set<String> {
        let text = try String(contentsOf: specificationURL, encoding: .utf8)
        let document = try #require(try Yams.load(yaml: text) as? [String: Any])
        let paths = try #require(document["paths"] as? [String: Any])
        var operations: Set<String> = []
        let methods: Set<String> = ["get", "put", "post", "delete", "patch", "head", "options"]
        for (path, item) in paths {
            let item = try #require(item as? [String: Any])
            for key in item.keys where methods.contains(key) { operations.insert("\(key.uppercased()) \(path)") }
        }
        return operations
    }

    @Test func routerRoutesAndSpecificationPathsAreTheSameSet() throws {
        let service = DiffusionService(configuration: ServiceConfiguration(), logger: Logger(label: "test"), blasKernel: "test")
        let routed = Set(service.makeRouter().routes.map { "\($0.method.rawValue) \($0.pattern)" })
        let specified = try Self.specifiedOperations()
        #expect(routed.subtracting(specified).isEmpty, "routes missing from openapi.yaml: \(routed.subtracting(specified).sorted())")
        #expect(specified.subtracting(routed).isEmpty, "operations in openapi.yaml without a route: \(specified.subtracting(routed).sorted())")
        #expect(routed.count >= 11)
    }
}
