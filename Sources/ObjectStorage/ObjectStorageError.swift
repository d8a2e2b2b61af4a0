/// Why an object-store operation failed, in words an operator can act on.
public enum ObjectStorageError: Error, Sendable, CustomStringConvertible, Equatable {
    /// The blob-store URL or the credentials are unusable.
    case configuration(String)
    /// The server answered with an S3 error (its `<Error>` document, or only a status for HEAD).
    case service(S3ServiceError)
    /// The server answered something S3 would not (a missing header, an unreadable document).
    case unexpectedResponse(String)

    public var description: String {
        switch self {
        case .configuration(let message): "object storage configuration: \(message)"
        case .service(let error): error.description
        case .unexpectedResponse(let message): "object storage: unexpected response: \(message)"
        }
    }

    /// The S3 error code (`NoSuchKey`, `AccessDenied`, …), when the server sent one.
    public var code: String? {
        if case .service(let error) = self { return error.code }
        return nil
    }
}

/// An S3 `<Error>` document: `Code` is what programs test, `Message` what people read.
public struct S3ServiceError: Sendable, Equatable, CustomStringConvertible {
    public var status: Int
    public var code: String
    public var message: String
    public var resource: String?
    public var requestID: String?

    public var description: String {
        var text = "S3 error \(code) (HTTP \(status)): \(message)"
        if let resource { text += " [\(resource)]" }
        if let requestID { text += " request \(requestID)" }
        return text
    }
}
