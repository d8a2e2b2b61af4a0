import Foundation

/// The part both template builds share: configure the freshly initialised server, always stop it, and on
/// success leave only the data (no pid file, no crash marker) so that the directory can become the template.
enum TemplateBuild {
    static func configure(_ server: ProcessServer, in directory: URL, _ body: () async throws -> Void) async throws {
        do {
            try await body()
        } catch {
            await server.stop()
            throw error
        }
        await server.stop()
        try? FileManager.default.removeItem(at: directory.appendingPathComponent("server.pid"))
        SandboxDirectory.removeMarker(in: directory)
    }
}
