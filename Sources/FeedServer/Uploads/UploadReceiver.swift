import Logging
import Foundation
import HTTPTypes
import Hummingbird
import PackageFeed

/// Streams a request body into a blob upload, hashing as it goes and never holding more than one chunk.
struct UploadReceiver {
    let feed: PackageFeed
    let maxUploadSize: Int64
    /// Told about every version a push stored (webhooks, metrics, the verification workers).
    let events: FeedEvents
    /// Counts every push by how it ended, with the bytes it delivered.
    let metrics: FeedMetrics
    /// Refuses uploads that would leave the disk below its free-space floor (507).
    var freeSpace: FreeSpaceGuard? = nil

    /// Runs a push route, counting the push as its outcome, or as `rejected` when it throws before one.
    func metered(_ push: () async throws -> Response) async throws -> Response {
        let meter = PushMeter()
        do {
            let response = try await PushMeter.$current.withValue(meter) { try await push() }
            metrics.recordPush(meter.outcome ?? .rejected, bytes: meter.bytes)
            return response
        } catch {
            metrics.recordPush(meter.outcome ?? .rejected, bytes: meter.bytes)
            throw error
        }
    }

    /// Announces what a push stored; a push that changed nothing (same bytes, IgnoreIfExists) is no event.
    func published(_ outcome: PublishOutcome, packageId: String) async {
        PushMeter.current?.published(outcome)
        let replaced: Bool
        switch outcome {
        case .created: replaced = false
        case .replaced: replaced = true
        case .unchanged, .ignored: return
        }
        let record = outcome.record
        await events.publish(.versionPushed(.init(
            packageId: packageId, version: record.version, size: record.size, sha256: record.sha256, replaced: replaced)))
    }

    /// Refuses a body whose declared length is already over the limit, or would not fit above the free-space floor,
    /// before reading any of it.
    func checkDeclaredLength(_ request: Request) throws {
        let declared = request.headers[.contentLength].flatMap(Int64.init)
        if let declared, declared > maxUploadSize {
            throw FeedError.tooLarge(limit: maxUploadSize)
        }
        try freeSpace?.check(incoming: declared ?? 0)
    }

    /// `PUT` with the file as the raw body.
    func receiveRaw(_ request: Request) async throws -> BlobUpload {
        try checkDeclaredLength(request)
        let upload = try feed.beginUpload()
        do {
            let declared = request.headers[.contentLength].flatMap(Int64.init)
            for try await chunk in request.body {
                try append(chunk, to: upload, declared: declared)
            }
            try checkComplete(upload, request)
            return upload
        } catch {
            upload.discard()
            throw error
        }
    }

    /// A multipart/form-data push: the first part with a filename is the package; its name gives ID and version.
    /// The filename is checked as soon as the part's headers arrive, so a bad name costs no upload.
    func receiveMultipart(_ request: Request) async throws -> (upload: BlobUpload, filename: PackageFilename) {
        try checkDeclaredLength(request)
        guard let contentType = request.headers[.contentType], let boundary = Self.boundary(of: contentType) else {
            throw FeedError.badRequest("expected a multipart/form-data body with the package file (curl -F file=@Name.1.0.0.zip)")
        }
        var parser = MultipartStreamParser(boundary: boundary)
        var current: (upload: BlobUpload, filename: PackageFilename)?
        var finished: (upload: BlobUpload, filename: PackageFilename)?
        do {
            for try await chunk in request.body {
                for event in try parser.feed(chunk) {
                    switch event {
                    case .partHeaders(let headers):
                        if finished == nil, let name = Self.filename(in: headers) {
                            current = (try feed.beginUpload(), try PackageFilename(name))
                        }
                    case .body(let bytes):
                        if let current { try append(bytes, to: current.upload) }
                    case .partEnd:
                        if finished == nil, let done = current { finished = done }
                        current = nil
                    }
                }
            }
            guard parser.isFinished || finished != nil else {
                throw FeedError.badRequest("the multipart body ended before its closing boundary: upload incomplete")
            }
            guard let finished else {
                throw FeedError.badRequest("the multipart body has no file part; send the package as a file (curl -F file=@Name.1.0.0.zip)")
            }
            return finished
        } catch let error as MultipartStreamParser.ParseError {
            current?.upload.discard()
            finished?.upload.discard()
            throw FeedError.badRequest(error.description)
        } catch {
            current?.upload.discard()
            finished?.upload.discard()
            throw error
        }
    }

    /// Defensive: Hummingbird's body iterator takes a part stream that ends without the request's end part as a
    /// complete body, so a raw PUT cut off early must not be trusted to have thrown; nor is a push stored after a
    /// shutdown cancelled it. (In the shutdown tests the cut-off body throws by itself; this is the second line.)
    /// Multipart bodies carry their own closing boundary.
    private func checkComplete(_ upload: BlobUpload, _ request: Request) throws {
        try Task.checkCancellation()
        if let declared = request.headers[.contentLength].flatMap(Int64.init), declared != upload.size {
            throw FeedError.badRequest("the body ended after \(upload.size) of the \(declared) bytes its Content-Length announced: upload incomplete")
        }
    }

    /// `declared` is the raw body's Content-Length, so that the free-space check counts what is still to come;
    /// multipart bodies are checked against what has arrived (their framing makes the file's size unknown).
    private func append(_ chunk: ByteBuffer, to upload: BlobUpload, declared: Int64? = nil) throws {
        let previous = upload.size
        guard previous + Int64(chunk.readableBytes) <= maxUploadSize else {
            throw FeedError.tooLarge(limit: maxUploadSize)
        }
        try chunk.withUnsafeReadableBytes { try upload.write($0) }
        PushMeter.current?.received(chunk.readableBytes)
        if let freeSpace, FreeSpaceGuard.isDue(previous: previous, current: upload.size) {
            try freeSpace.check(incoming: max(0, (declared ?? 0) - upload.size))
        }
    }

    static func boundary(of contentType: String) -> String? {
        let parts = contentType.split(separator: ";").map { $0.trimmingCharacters(in: .whitespaces) }
        guard parts.first?.lowercased() == "multipart/form-data" else { return nil }
        for part in parts.dropFirst() where part.lowercased().hasPrefix("boundary=") {
            let value = part.dropFirst("boundary=".count).trimmingCharacters(in: CharacterSet(charactersIn: "\""))
            return value.isEmpty || value.count > 200 ? nil : value
        }
        return nil
    }

    /// The `filename` parameter of a part's Content-Disposition (`filename*=UTF-8''…` too).
    static func filename(in headers: [(name: String, value: String)]) -> String? {
        guard let disposition = headers.first(where: { $0.name == "content-disposition" })?.value else { return nil }
        var plain: String?
        for parameter in disposition.split(separator: ";").map({ $0.trimmingCharacters(in: .whitespaces) }) {
            let lowered = parameter.lowercased()
            if lowered.hasPrefix("filename*=") {
                let value = parameter.dropFirst("filename*=".count)
                if let quote = value.range(of: "''") {
                    return String(value[quote.upperBound...]).removingPercentEncoding
                }
            } else if lowered.hasPrefix("filename=") {
                plain = String(parameter.dropFirst("filename=".count)).trimmingCharacters(in: CharacterSet(charactersIn: "\""))
            }
        }
        return plain
    }
}
