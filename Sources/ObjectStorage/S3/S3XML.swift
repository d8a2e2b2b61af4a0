import Foundation
#if canImport(FoundationXML)
import FoundationXML
#endif

/// A parsed XML element: S3's answers are small documents read by element name, so a tree of these is enough.
struct S3XMLElement: Sendable {
    var name: String
    var text: String = ""
    var children: [S3XMLElement] = []

    func child(_ name: String) -> S3XMLElement? { children.first { $0.name == name } }
    func all(_ name: String) -> [S3XMLElement] { children.filter { $0.name == name } }
    /// The text of a direct child, or nil when there is none.
    func value(_ name: String) -> String? { child(name)?.text }

    /// Parses a whole document; throws `unexpectedResponse` for anything that is not well-formed XML.
    static func parse(_ bytes: [UInt8]) throws -> S3XMLElement {
        let builder = TreeBuilder()
        let parser = XMLParser(data: Data(bytes))
        parser.shouldProcessNamespaces = true
        parser.delegate = builder
        guard parser.parse(), let root = builder.root else {
            let preview = String(decoding: bytes.prefix(200), as: UTF8.self)
            throw ObjectStorageError.unexpectedResponse("not an S3 XML document: \(preview)")
        }
        return root
    }

    /// Escapes text for an element's content.
    static func escape(_ text: String) -> String {
        text.replacingOccurrences(of: "&", with: "&amp;").replacingOccurrences(of: "<", with: "&lt;")
            .replacingOccurrences(of: ">", with: "&gt;").replacingOccurrences(of: "\"", with: "&quot;")
    }
}

private final class TreeBuilder: NSObject, XMLParserDelegate {
    var stack: [S3XMLElement] = []
    var root: S3XMLElement?

    func parser(
        _ parser: XMLParser, didStartElement elementName: String, namespaceURI: String?, qualifiedName: String?,
        attributes: [String: String] = [:]
    ) {
        stack.append(S3XMLElement(name: elementName))
    }

    func parser(_ parser: XMLParser, foundCharacters string: String) {
        if !stack.isEmpty { stack[stack.count - 1].text += string }
    }

    func parser(_ parser: XMLParser, didEndElement elementName: String, namespaceURI: String?, qualifiedName: String?) {
        guard let element = stack.popLast() else { return }
        if stack.isEmpty { root = element } else { stack[stack.count - 1].children.append(element) }
    }
}
