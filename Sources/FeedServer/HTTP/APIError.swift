import BackupVerifier
import Logging
import Foundation
import HTTPTypes
import Hummingbird
import NIOHTTP1
import PackageFeed

/// An error the client can act on, with the status it maps to. Every error the routes throw becomes one of
/// these in `ErrorMapping`, the one place where errors meet HTTP statuses.
struct APIError: Error {
    var status: HTTPResponse.Status
    var message: String
    var detail: String?
    /// Headers the error answer must carry (a 416's `Content-Range: bytes */size`).
    var headers: HTTPFields = [:]
}

enum ErrorMapping {
    static func apiError(for error: any Error) -> APIError {
        switch error {
        case let error as APIError:
            return error
        case let error as IdentityError:
            return APIError(status: .badRequest, message: error.description)
        case let error as FeedError:
            return apiError(for: error)
        case let error as DecryptionKeyError:
            return APIError(status: .badRequest, message: error.description)
        case let error as InsufficientStorageError:
            return APIError(status: .insufficientStorage, message: error.description, detail: "free disk space on the server, then push again")
        case let error as HTTPError:
            return APIError(status: error.status, message: error.body ?? error.status.reasonPhrase)
        case let error as any HTTPResponseError:
            return APIError(status: error.status, message: error.status.reasonPhrase)
        case let error as HTTPParserError:
            // The client's bytes: a body cut off by its connection closing (or the idle timeout), or a malformed one.
            // Nobody may be left to read the answer, but it is the client's doing, not a 500 to alert on.
            return APIError(status: .badRequest, message: "the request ended early or is malformed (\(error)); nothing was stored")
        case is DecodingError:
            return APIError(status: .badRequest, message: "request body is not valid JSON of the expected shape")
        case is CancellationError:
            // A shutdown whose grace ran out cancels the requests still running: nothing was stored, and no server fault.
            return APIError(status: .serviceUnavailable, message: "the server is shutting down; nothing was stored, send the request again")
        default:
            return APIError(status: .internalServerError, message: "internal error", detail: "see the server log")
        }
    }

    static func apiError(for error: FeedError) -> APIError {
        let status: HTTPResponse.Status =
            switch error {
            case .invalidIdentity, .badRequest: .badRequest
            case .packageNotFound, .versionNotFound, .noVerifiedVersion, .jobNotFound: .notFound
            case .versionExists: .conflict
            case .checksumMismatch: .unprocessableContent
            case .tooLarge: .contentTooLarge
            }
        return APIError(status: status, message: error.description)
    }
}

extension HTTPResponse.Status {
    /// 507 (RFC 4918): the server cannot store what the request carries; not in HTTPTypes' list.
    static let insufficientStorage = HTTPResponse.Status(code: 507, reasonPhrase: "Insufficient Storage")
}

/// The shape of error bodies: native JSON `{"error","detail"}`, Octopus `{"ErrorMessage","Errors"}`, or the
/// Maven view's plain text, whose 401 is the `Basic` challenge Maven waits for before it sends credentials.
enum ErrorStyle: Sendable {
    case native, octopus, maven
}

/// Turns every error thrown below it into a JSON error response; a 500 is logged with its cause,
/// and never shows the cause to the client.
struct ErrorMiddleware<Context: RequestContext>: RouterMiddleware {
    let style: ErrorStyle

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        do {
            return try await next(request, context)
        } catch {
            let apiError = ErrorMapping.apiError(for: error)
            if apiError.status == .internalServerError {
                context.logger.error("request failed", metadata: ["error": "\(String(reflecting: error))"])
            }
            return Self.response(apiError, style: style)
        }
    }

    static func response(_ error: APIError, style: ErrorStyle) -> Response {
        var headers = error.headers
        if style == .maven {
            headers[.contentType] = "text/plain; charset=utf-8"
            if error.status == .unauthorized {
                headers[.wwwAuthenticate] = "Basic realm=\"backupfeed\", charset=\"UTF-8\""
            }
            let text = error.message + (error.detail.map { " (\($0))" } ?? "") + "\n"
            return Response(status: error.status, headers: headers, body: .init(byteBuffer: ByteBuffer(string: text)))
        }
        let body: [String: JSONValue] =
            switch style {
            case .native, .maven:
                ["error": .string(error.message), "detail": error.detail.map(JSONValue.string) ?? .null]
            case .octopus:
                ["ErrorMessage": .string(error.message), "Errors": .array([.string(error.detail ?? error.message)])]
            }
        headers[.contentType] = "application/json; charset=utf-8"
        if error.status == .unauthorized {
            headers[.wwwAuthenticate] = "Bearer realm=\"backupfeed\""
        }
        let data = (try? JSONResponse.encoder.encode(body)) ?? Data()
        return Response(status: error.status, headers: headers, body: .init(byteBuffer: ByteBuffer(bytes: data)))
    }
}

/// A minimal JSON value for error bodies, so that `detail: null` is written explicitly.
enum JSONValue: Encodable {
    case string(String), array([JSONValue]), null

    func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        switch self {
        case .string(let text): try container.encode(text)
        case .array(let values): try container.encode(values)
        case .null: try container.encodeNil()
        }
    }
}
