import Logging
import Foundation
import HTTPTypes
import Hummingbird
import PackageFeed

/// Serves a version's bytes from disk: streamed, with ETag (its SHA-256), checksum header, single byte ranges
/// (206/416) and conditional requests (304).
struct DownloadResponder {
    let feed: PackageFeed
    /// Counts downloads that send a body, and the bytes actually written to the client.
    let metrics: FeedMetrics
    let fileIO = FileIO()

    func response(for record: VersionRecord, request: Request, context: AppRequestContext, headOnly: Bool = false) async throws -> Response {
        let url = try feed.file(of: record)
        var headers = HTTPFields()
        let etag = "\"\(record.sha256)\""
        headers[.eTag] = etag
        headers[.checksumSHA256] = record.sha256
        headers[.acceptRanges] = "bytes"
        headers[.packageVersion] = record.version
        headers[.contentType] = Self.contentType(for: record.filename)
        headers[.contentDisposition] = ContentDisposition.attachment(filename: record.filename)
        headers[.lastModified] = Self.httpDate(record.publishedAt)
        headers[.cacheControl] = "private, no-cache"

        if let match = request.headers[.ifNoneMatch], Self.matches(match, etag: etag) {
            return Response(status: .notModified, headers: headers)
        }
        let size = Int(record.size)
        try Self.checkStoredSize(of: url, record: record)
        if let rangeHeader = request.headers[.range], Self.ifRangeAllows(request.headers, etag: etag) {
            guard let range = Self.parseRange(rangeHeader, size: size) else {
                throw APIError(
                    status: .rangeNotSatisfiable, message: "range \(rangeHeader) is outside the file of \(size) bytes",
                    headers: [.contentRange: "bytes */\(size)"])
            }
            headers[.contentRange] = "bytes \(range.lowerBound)-\(range.upperBound)/\(size)"
            headers[.contentLength] = String(range.count)
            if headOnly { return Response(status: .partialContent, headers: headers) }
            let body = try await fileIO.loadFile(path: url.path, range: range, context: context, chunkLength: 256 * 1024)
            return Response(status: .partialContent, headers: headers, body: metered(body))
        }
        headers[.contentLength] = String(size)
        if headOnly { return Response(status: .ok, headers: headers) }
        if size == 0 { return Response(status: .ok, headers: headers, body: metered(ResponseBody())) }
        let body = try await fileIO.loadFile(path: url.path, context: context, chunkLength: 256 * 1024)
        return Response(status: .ok, headers: headers, body: metered(body))
    }

    /// A blob that is shorter (or longer) on disk than recorded was damaged after it was stored. Serving it would
    /// promise `Content-Length` bytes that never come and leave the client waiting on an open connection.
    static func checkStoredSize(of url: URL, record: VersionRecord) throws {
        let onDisk = (try? FileManager.default.attributesOfItem(atPath: url.path)[.size] as? NSNumber)?.int64Value
        guard onDisk == record.size else {
            throw APIError(
                status: .internalServerError,
                message: "the stored file of \(record.packageKey) \(record.version) is damaged: \(onDisk.map(String.init) ?? "no") bytes on disk, \(record.size) recorded; push this version again")
        }
    }

    /// Counts the download now and its bytes as they are written, so that an aborted download counts what it got.
    private func metered(_ body: ResponseBody) -> ResponseBody {
        metrics.recordDownloadStarted()
        let metrics = metrics
        return body.map { chunk in
            metrics.recordDownloaded(bytes: chunk.readableBytes)
            return chunk
        }
    }

    static func matches(_ ifNoneMatch: String, etag: String) -> Bool {
        ifNoneMatch.split(separator: ",").contains { candidate in
            let trimmed = candidate.trimmingCharacters(in: .whitespaces)
            return trimmed == "*" || trimmed == etag || trimmed == "W/" + etag
        }
    }

    /// `If-Range` with another validator means the client's partial copy is stale: send the whole file.
    static func ifRangeAllows(_ headers: HTTPFields, etag: String) -> Bool {
        guard let ifRange = headers[.ifRange] else { return true }
        return ifRange.trimmingCharacters(in: .whitespaces) == etag
    }

    /// One range of `bytes=a-b`, `bytes=a-` or `bytes=-n`; nil when unsatisfiable or malformed.
    static func parseRange(_ header: String, size: Int) -> ClosedRange<Int>? {
        let lowered = header.trimmingCharacters(in: .whitespaces).lowercased()
        guard lowered.hasPrefix("bytes="), size > 0 else { return nil }
        let spec = lowered.dropFirst(6)
        guard !spec.contains(","), let dash = spec.firstIndex(of: "-") else { return nil }
        let startText = spec[..<dash].trimmingCharacters(in: .whitespaces)
        let endText = spec[spec.index(after: dash)...].trimmingCharacters(in: .whitespaces)
        if startText.isEmpty {
            guard let suffix = Int(endText), suffix > 0 else { return nil }
            return max(0, size - suffix)...(size - 1)
        }
        guard let start = Int(startText), start >= 0, start < size else { return nil }
        if endText.isEmpty { return start...(size - 1) }
        guard let end = Int(endText), end >= start else { return nil }
        return start...min(end, size - 1)
    }

    static func contentType(for filename: String) -> String {
        let lowered = filename.lowercased()
        if lowered.hasSuffix(".zip") || lowered.hasSuffix(".nupkg") { return "application/zip" }
        if lowered.hasSuffix(".gz") || lowered.hasSuffix(".tgz") { return "application/gzip" }
        if lowered.hasSuffix(".zst") || lowered.hasSuffix(".zstd") { return "application/zstd" }
        if lowered.hasSuffix(".xz") { return "application/x-xz" }
        if lowered.hasSuffix(".bz2") { return "application/x-bzip2" }
        if lowered.hasSuffix(".sql") { return "application/sql" }
        return "application/octet-stream"
    }

    static func httpDate(_ date: Date) -> String {
        let formatter = DateFormatter()
        formatter.locale = Locale(identifier: "en_US_POSIX")
        formatter.timeZone = TimeZone(identifier: "GMT")
        formatter.dateFormat = "EEE, dd MMM yyyy HH:mm:ss 'GMT'"
        return formatter.string(from: date)
    }
}
