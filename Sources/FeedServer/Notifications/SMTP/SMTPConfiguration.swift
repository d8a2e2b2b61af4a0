import Foundation

/// The relay that `email` targets are sent through, from `serve --smtp-url`:
/// - `smtp://user:pass@host:587`: STARTTLS, required (a relay that does not offer it is refused, never used in clear);
/// - `smtps://user:pass@host:465`: TLS from the first byte;
/// - `smtp+insecure://host:25`: no TLS, for a relay on the same machine or network; refused with credentials.
public struct SMTPConfiguration: Sendable, Equatable {
    public enum Security: String, Sendable {
        case startTLS, implicitTLS, none
    }

    public var host: String
    public var port: Int
    public var security: Security
    public var username: String?
    public var password: String?
    /// The envelope sender and `From:` address.
    public var from: String
    /// A PEM file of extra trusted certificates, for a relay with a private CA (`--smtp-ca-file`).
    public var caFile: String?

    public init(url text: String, from: String?, caFile: String? = nil) throws(SMTPConfigurationError) {
        guard let components = URLComponents(string: text), let scheme = components.scheme?.lowercased(),
            let host = components.host, !host.isEmpty
        else { throw .invalid("must look like smtp://user:password@host:587") }
        switch scheme {
        case "smtp": (security, port) = (.startTLS, components.port ?? 587)
        case "smtps": (security, port) = (.implicitTLS, components.port ?? 465)
        case "smtp+insecure": (security, port) = (.none, components.port ?? 25)
        default: throw .invalid("unknown scheme \(scheme)://; use smtp:// (STARTTLS), smtps:// (TLS) or smtp+insecure://")
        }
        guard (1...65535).contains(port) else { throw .invalid("port \(port) is out of range") }
        self.host = host
        username = components.percentEncodedUser.flatMap { $0.removingPercentEncoding }
        password = components.percentEncodedPassword.flatMap { $0.removingPercentEncoding }
        if security == .none, username != nil {
            throw .invalid("smtp+insecure:// would send the password in clear; use smtp:// (STARTTLS) or smtps://")
        }
        let sender = from ?? username.flatMap { $0.contains("@") ? $0 : nil } ?? "backupfeed@\(host)"
        guard EmailRecipients.isAddress(sender) else { throw .invalid("the sender \(sender) is not a plain mail address (--smtp-from)") }
        self.from = sender
        self.caFile = caFile
    }

    /// The URL without its password, for logs.
    public var redacted: String {
        let scheme = switch security {
        case .startTLS: "smtp"
        case .implicitTLS: "smtps"
        case .none: "smtp+insecure"
        }
        return "\(scheme)://\(username.map { "\($0)@" } ?? "")\(host):\(port)"
    }
}

public enum SMTPConfigurationError: Error, CustomStringConvertible, Sendable {
    case invalid(String)

    public var description: String {
        switch self {
        case .invalid(let why): "invalid --smtp-url: \(why)"
        }
    }
}
