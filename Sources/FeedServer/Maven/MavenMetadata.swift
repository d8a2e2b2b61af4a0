import Foundation
import PackageFeed

/// The small XML documents of the Maven view, built as text with every value escaped: `maven-metadata.xml`
/// (what `RELEASE`/`LATEST` and version ranges resolve against) and a minimal `.pom` (without one Maven warns
/// that the artifact's POM is missing).
enum MavenDocuments {
    /// `versions` oldest first, as Maven lists them; `latest` and `release` as the group defines them.
    static func metadata(groupId: String, artifactId: String, versions: [String], latest: String, release: String?, lastUpdated: Date) -> String {
        var xml = """
            <?xml version="1.0" encoding="UTF-8"?>
            <metadata>
              <groupId>\(escape(groupId))</groupId>
              <artifactId>\(escape(artifactId))</artifactId>
              <versioning>
                <latest>\(escape(latest))</latest>

            """
        if let release { xml += "    <release>\(escape(release))</release>\n" }
        xml += "    <versions>\n"
        for version in versions { xml += "      <version>\(escape(version))</version>\n" }
        xml += """
                </versions>
                <lastUpdated>\(timestamp(lastUpdated))</lastUpdated>
              </versioning>
            </metadata>

            """
        return xml
    }

    static func pom(groupId: String, artifactId: String, version: String, packaging: String, description: String) -> String {
        """
        <?xml version="1.0" encoding="UTF-8"?>
        <project xmlns="http://maven.apache.org/POM/4.0.0" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" \
        xsi:schemaLocation="http://maven.apache.org/POM/4.0.0 https://maven.apache.org/xsd/maven-4.0.0.xsd">
          <modelVersion>4.0.0</modelVersion>
          <groupId>\(escape(groupId))</groupId>
          <artifactId>\(escape(artifactId))</artifactId>
          <version>\(escape(version))</version>
          <packaging>\(escape(packaging))</packaging>
          <description>\(escape(description))</description>
        </project>

        """
    }

    /// Maven's `yyyyMMddHHmmss` in UTC.
    static func timestamp(_ date: Date) -> String {
        let formatter = DateFormatter()
        formatter.locale = Locale(identifier: "en_US_POSIX")
        formatter.timeZone = TimeZone(identifier: "UTC")
        formatter.dateFormat = "yyyyMMddHHmmss"
        return formatter.string(from: date)
    }

    static func escape(_ text: String) -> String {
        var out = ""
        for character in text {
            switch character {
            case "&": out += "&amp;"
            case "<": out += "&lt;"
            case ">": out += "&gt;"
            case "\"": out += "&quot;"
            case "'": out += "&apos;"
            default: out.append(character)
            }
        }
        return out
    }
}
