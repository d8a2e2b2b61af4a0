@testable import FeedServer
import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import Testing

/// Download names: plain ASCII as before; anything else as RFC 6266 `filename*=UTF-8''…` behind an ASCII fallback.
@Suite struct ContentDispositionTests {
    @Test func nonASCIINamesGetAnEncodedFilenameAndAnASCIIFallback() async throws {
        let feed = try await TestFeed()
        defer { feed.remove() }
        try await feed.app().test(.router) { client in
            for (id, expected) in [
                ("Bücher", "attachment; filename=\"B_cher.1.0.zip\"; filename*=UTF-8''B%C3%BCcher.1.0.zip"),
                ("日本", "attachment; filename=\"__.1.0.zip\"; filename*=UTF-8''%E6%97%A5%E6%9C%AC.1.0.zip"),
                ("Plain_Db", "attachment; filename=\"Plain_Db.1.0.zip\""),
            ] {
                let path = id.addingPercentEncoding(withAllowedCharacters: .alphanumerics)!
                let put = try await client.execute(
                    uri: "/api/packages/\(path)/1.0?extension=zip", method: .put, headers: .key(feed.pushKey), body: ByteBuffer(string: id))
                #expect(put.status == .created, "\(put.text)")
                let download = try await client.execute(uri: "/api/packages/\(path)/1.0/download", method: .get, headers: .key(feed.readKey))
                #expect(download.status == .ok)
                #expect(download.headers[.contentDisposition] == expected)
            }
            // The Octopus route shares the responder. (It does not percent-decode its reference yet, so an ASCII name.)
            let octopus = try await client.execute(uri: "/api/packages/packages-Plain_Db.1.0/raw", method: .get, headers: .key(feed.readKey))
            #expect(octopus.status == .ok, "\(octopus.text)")
            #expect(octopus.headers[.contentDisposition] == "attachment; filename=\"Plain_Db.1.0.zip\"")
        }
    }

    @Test func theFallbackCannotEndTheQuotedStringAndTheEncodingIsRFC8187() {
        #expect(ContentDisposition.asciiFallback("a\"b\\c\u{7F}d\u{1}e") == "a_b_c_d_e")
        #expect(ContentDisposition.percentEncoded("a b;c'd\"é%") == "a%20b%3Bc%27d%22%C3%A9%25")
        #expect(ContentDisposition.percentEncoded("AZaz09!#$&+-.^_`|~") == "AZaz09!#$&+-.^_`|~")
        #expect(ContentDisposition.attachment(filename: "e\u{301}.zip") == "attachment; filename=\"_.zip\"; filename*=UTF-8''e%CC%81.zip")
    }
}
