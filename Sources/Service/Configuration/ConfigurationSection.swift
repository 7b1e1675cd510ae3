import Yams

/// A YAML mapping being read into typed settings, with the dotted path of where it sits.
///
/// Every accessor names the full key (`server.limits.body_bytes`) in its error, and
/// `expectOnly(_:)` rejects keys that nothing reads, so a typo fails loudly instead of
/// being ignored.
struct ConfigurationSection {
    let source: String
    let path: String
    let mapping: Node.Mapping

    init(source: String, path: String, node: Node) throws(ConfigurationError) {
        guard let mapping = node.mapping else {
            throw .wrongType(source: source, key: path.isEmpty ? "(top level)" : path, expected: "a mapping")
        }
        self.source = source
        self.path = path
        self.mapping = mapping
    }

    func key(_ name: String) -> String { path.isEmpty ? name : "\(path).\(name)" }

    /// Throws for the first key not in `allowed`.
    func expectOnly(_ allowed: Set<String>) throws(ConfigurationError) {
        for (keyNode, _) in mapping {
            guard let name = keyNode.string, allowed.contains(name) else {
                throw .unknownKey(source: source, key: key(keyNode.string ?? "\(keyNode)"))
            }
        }
    }

    func node(_ name: String) -> Node? {
        guard let node = mapping[name] else { return nil }
        if case .scalar(let scalar) = node, scalar.string.isEmpty || scalar.string == "~" || scalar.string == "null",
           scalar.style == .plain { return nil }
        return node
    }

    func section(_ name: String) throws(ConfigurationError) -> ConfigurationSection? {
        guard let node = node(name) else { return nil }
        return try ConfigurationSection(source: source, path: key(name), node: node)
    }

    func string(_ name: String) throws(ConfigurationError) -> String? {
        guard let node = node(name) else { return nil }
        guard case .scalar(let scalar) = node else { throw .wrongType(source: source, key: key(name), expected: "a string") }
        return scalar.string
    }

    func integer(_ name: String, in range: ClosedRange<Int>) throws(ConfigurationError) -> Int? {
        guard let node = node(name) else { return nil }
        guard case .scalar = node, let value = node.int else {
            throw .wrongType(source: source, key: key(name), expected: "an integer")
        }
        guard range.contains(value) else {
            throw .invalidValue(source: source, key: key(name), reason: "must be in \(range.lowerBound)...\(range.upperBound), got \(value)")
        }
        return value
    }

    func number(_ name: String, in range: ClosedRange<Double>) throws(ConfigurationError) -> Double? {
        guard let node = node(name) else { return nil }
        guard case .scalar = node, let value = node.float ?? node.int.map(Double.init) else {
            throw .wrongType(source: source, key: key(name), expected: "a number")
        }
        guard range.contains(value) else {
            throw .invalidValue(source: source, key: key(name), reason: "must be in \(range.lowerBound)...\(range.upperBound), got \(value)")
        }
        return value
    }

    func sequence(_ name: String) throws(ConfigurationError) -> [Node]? {
        guard let node = node(name) else { return nil }
        guard case .sequence(let sequence) = node else {
            throw .wrongType(source: source, key: key(name), expected: "a list")
        }
        return Array(sequence)
    }
}
