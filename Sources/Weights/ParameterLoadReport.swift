/// Everything that went wrong while loading one model from a `ParameterStore`, collected so
/// that one error lists all of it (missing keys, unexpected keys, shape mismatches, unusable
/// dtypes) instead of failing on the first.
public struct ParameterLoadReport: Sendable, Equatable, CustomStringConvertible {
    /// A tensor whose stored shape differs from the shape the model asked for.
    public struct ShapeMismatch: Sendable, Equatable {
        public var key: String
        public var expected: [Int]
        public var found: [Int]

        public init(key: String, expected: [Int], found: [Int]) {
            self.key = key
            self.expected = expected
            self.found = found
        }
    }

    /// A tensor the model asked for whose dtype cannot be used as requested.
    public struct UnsupportedDataType: Sendable, Equatable {
        public var key: String
        public var dataType: SafetensorsDataType

        public init(key: String, dataType: SafetensorsDataType) {
            self.key = key
            self.dataType = dataType
        }
    }

    /// Keys the model asked for that no file holds, sorted.
    public var missingKeys: [String] = []
    /// Keys the files hold that the model never asked for and the ignore list does not allow, sorted.
    public var unexpectedKeys: [String] = []
    /// Keys present with a different shape, sorted by key.
    public var shapeMismatches: [ShapeMismatch] = []
    /// Keys present with a dtype that cannot be used, sorted by key.
    public var unsupportedDataTypes: [UnsupportedDataType] = []

    public init(missingKeys: [String] = [], unexpectedKeys: [String] = [],
                shapeMismatches: [ShapeMismatch] = [], unsupportedDataTypes: [UnsupportedDataType] = []) {
        self.missingKeys = missingKeys
        self.unexpectedKeys = unexpectedKeys
        self.shapeMismatches = shapeMismatches
        self.unsupportedDataTypes = unsupportedDataTypes
    }

    /// Whether nothing went wrong.
    public var isEmpty: Bool {
        missingKeys.isEmpty && unexpectedKeys.isEmpty && shapeMismatches.isEmpty && unsupportedDataTypes.isEmpty
    }

    public var description: String {
        var lines = ["loading parameters failed:"]
        if !missingKeys.isEmpty {
            lines.append("  \(missingKeys.count) missing: " + missingKeys.joined(separator: ", "))
        }
        if !unexpectedKeys.isEmpty {
            lines.append("  \(unexpectedKeys.count) unexpected: " + unexpectedKeys.joined(separator: ", "))
        }
        for mismatch in shapeMismatches {
            lines.append("  shape mismatch for \(mismatch.key): expected \(mismatch.expected), found \(mismatch.found)")
        }
        for unsupported in unsupportedDataTypes {
            lines.append("  unsupported dtype \(unsupported.dataType.rawValue) for \(unsupported.key)")
        }
        return lines.joined(separator: "\n")
    }
}
