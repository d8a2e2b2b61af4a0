import Foundation

/// File names that come from the server, checked before they name anything on disk.
enum SafeFilename {
    /// The name from `Content-Disposition: attachment; filename="…"` (quoted or bare), if there is one.
    static func fromContentDisposition(_ header: String) -> String? {
        for parameter in header.split(separator: ";").dropFirst() {
            let pair = parameter.trimmingCharacters(in: .whitespaces)
            guard pair.lowercased().hasPrefix("filename=") else { continue }
            var value = Substring(pair.dropFirst("filename=".count))
            if value.hasPrefix("\""), value.hasSuffix("\""), value.count >= 2 {
                value = value.dropFirst().dropLast()
            }
            return String(value)
        }
        return nil
    }

    /// A plain name inside the output directory: no path separators, no `..`, no leading dot (which would hide the
    /// file, and is how this client names its temporary files), no control characters, at most 255 bytes.
    static func isSafe(_ name: String) -> Bool {
        !name.isEmpty && name.utf8.count <= 255 && !name.hasPrefix(".") && !name.contains("..")
            && !name.contains("/") && !name.contains("\\")
            && !name.unicodeScalars.contains { $0.value < 0x20 || $0.value == 0x7F }
    }
}
