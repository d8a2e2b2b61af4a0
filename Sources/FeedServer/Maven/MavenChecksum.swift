import Crypto
import Foundation

/// The checksum files Maven fetches next to each file (`.sha1` first, then `.md5`; `.sha256`/`.sha512` when
/// configured). Generated documents get all four; stored backups get the two digests stored at push time, so
/// a checksum never means reading a large backup again.
enum MavenChecksum: String, CaseIterable, Sendable {
    case sha1, md5, sha256, sha512

    /// Splits `name.sha1` into `name` and `.sha1`; nil when the name has no checksum suffix.
    static func split(_ filename: String) -> (base: String, checksum: MavenChecksum)? {
        for checksum in allCases where filename.hasSuffix("." + checksum.rawValue) {
            return (String(filename.dropLast(checksum.rawValue.count + 1)), checksum)
        }
        return nil
    }

    func hex(of data: Data) -> String {
        switch self {
        case .sha1: Insecure.SHA1.hash(data: data).map { String(format: "%02x", $0) }.joined()
        case .md5: Insecure.MD5.hash(data: data).map { String(format: "%02x", $0) }.joined()
        case .sha256: SHA256.hash(data: data).map { String(format: "%02x", $0) }.joined()
        case .sha512: SHA512.hash(data: data).map { String(format: "%02x", $0) }.joined()
        }
    }
}
