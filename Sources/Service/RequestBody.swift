import Foundation
import HTTP

/// Why a JSON request body was refused; always names the field at fault.
public enum RequestBodyError: Error, Equatable, Sendable {
    case unsupportedMediaType(String)
    case malformedJSON(String)
    case invalidField(String, reason: String)
}

extension HTTPRequest {
    /// Decodes the body as JSON into `T`, mapping decoding failures to the field path
    /// (`steps`, `prompts[2]`) so the 4xx answer can name it.
    public func decodeJSON<T: Decodable>(_ type: T.Type, allowEmpty: Bool = false) throws(RequestBodyError) -> T {
        var bytes = body
        if bytes.isEmpty && allowEmpty { bytes = Array("{}".utf8) }
        if !body.isEmpty, let contentType = headers["Content-Type"] {
            let mediaType = contentType.split(separator: ";").first.map { $0.trimmingCharacters(in: .whitespaces).lowercased() } ?? ""
            guard mediaType == "application/json" || mediaType.hasSuffix("+json") else { throw .unsupportedMediaType(contentType) }
        }
        do {
            return try JSONDecoder().decode(T.self, from: Data(bytes))
        } catch let error as DecodingError {
            throw Self.describe(error)
        } catch let error as RequestBodyError {
            throw error
        } catch {
            throw .malformedJSON("\(error)")
        }
    }

    private static func describe(_ error: DecodingError) -> RequestBodyError {
        func path(_ codingPath: [any CodingKey], _ key: (any CodingKey)? = nil) -> String {
            var text = ""
            for component in codingPath + (key.map { [$0] } ?? []) {
                if let index = component.intValue { text += "[\(index)]" } else { text += text.isEmpty ? component.stringValue : ".\(component.stringValue)" }
            }
            return text.isEmpty ? "body" : text
        }
        switch error {
        case .dataCorrupted(let context):
            if context.codingPath.isEmpty { return .malformedJSON(context.debugDescription) }
            return .invalidField(path(context.codingPath), reason: context.debugDescription)
        case .keyNotFound(let key, let context):
            return .invalidField(path(context.codingPath, key), reason: "is required")
        case .typeMismatch(let type, let context):
            return .invalidField(path(context.codingPath), reason: "must be \(Self.typeName(type))")
        case .valueNotFound(let type, let context):
            return .invalidField(path(context.codingPath), reason: "must be \(Self.typeName(type)), not null")
        @unknown default:
            return .malformedJSON("\(error)")
        }
    }

    private static func typeName(_ type: Any.Type) -> String {
        switch type {
        case is Int.Type, is Int32.Type, is Int64.Type, is UInt64.Type: return "an integer"
        case is Double.Type, is Float.Type: return "a number"
        case is Bool.Type: return "a boolean"
        case is String.Type: return "a string"
        default: return "\(type)"
        }
    }
}

/// Range checks for decoded request fields, thrown as `invalidField` with the field name.
public enum FieldCheck {
    public static func require<T: Comparable>(_ value: T, in range: ClosedRange<T>, field: String) throws(RequestBodyError) {
        guard range.contains(value) else {
            throw .invalidField(field, reason: "must be in \(range.lowerBound)...\(range.upperBound), got \(value)")
        }
    }
}
