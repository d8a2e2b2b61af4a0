import Crypto
import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import Testing

/// Each Octopus client's request sequence, replayed over a real socket in the client's order, with its headers,
/// user agent and multipart framing, asserting what the client reads from each answer. The comment above each
/// request names the client source file that sends it.
@Suite struct OctopusClientReplayTests {
    static let zipBytes: [UInt8] = [0x50, 0x4B, 0x03, 0x04] + randomBytes(4_000)

    /// `octo push --package PetClinicDB.2022.06.20.zip --overwrite-mode OverwriteExisting --space Default`
    /// (OctopusDeploy/OctopusCLI on OctopusDeploy/OctopusClients).
    @Test func octoPush() async throws {
        let feed = try await TestFeed()
        defer { feed.remove() }
        let octo = OctopusWire.Client(userAgent: "OctopusClient-dotnet/11.6.3644 (Linux 6.1.0-18-amd64 #1 SMP Debian 6.1.76-1; X64) octo/9.1.7", apiKey: feed.pushKey)
        try await feed.app().test(.live) { client in
            // Octopus.Server.Client/OctopusAsyncRepository.cs LoadRootDocumentInner: GET ~/api, then the ApiVersion check
            // against ApiConstants.SupportedApiSchemaVersionMin/Max (3.0.0–3.0.99).
            let root = try await client.replay(.get, "/api", as: octo)
            #expect(root.status == .ok)
            let rootJSON = try root.json()
            let apiVersion = try #require(rootJSON["ApiVersion"] as? String)
            let parts = apiVersion.split(separator: ".").compactMap { Int($0) }
            #expect(parts.count == 3 && parts[0] == 3 && parts[1] == 0 && parts[2] <= 99, "octo refuses \(apiVersion)")
            #expect(UUID(uuidString: rootJSON["InstallationId"] as? String ?? "") != nil, "InstallationId is a Guid")
            #expect(rootJSON.link("PackageDeltaSignature") == nil, "octo would try a delta push")
            // Octopus.Cli/Commands/ApiCommand.cs: HasLink("Spaces"), then Util/RepositoryExtensions.cs FindByNameOrIdOrFail:
            // "Default" is no Spaces-\d+ ID, so Repositories/Async/BasicRepository.cs FindByName pages Link("Spaces") with {name}.
            let spacesLink = try #require(rootJSON.link("Spaces"))
            let spaces = try await client.replay(.get, OctopusWire.expand(spacesLink, ["name": "Default"]), as: octo)
            #expect(spaces.status == .ok)
            let space = try #require(try spaces.json().items.first { ($0["Name"] as? String)?.lowercased() == "default" })
            #expect(space["Id"] as? String == "Spaces-1")
            #expect(space["IsDefault"] as? Bool == true)
            // OctopusAsyncRepository.cs LoadSpaceRootResourceFor: GET space.Link("SpaceHome").
            let spaceHome = try await client.replay(.get, try #require(space.link("SpaceHome")), as: octo)
            #expect(spaceHome.status == .ok)
            let homeJSON = try spaceHome.json()
            #expect(homeJSON.link("PackageDeltaSignature") == nil)
            // ApiCommand.cs: Repository.Users.GetCurrent() → Repositories/Async/UserRepository.cs Link("CurrentUser").
            let me = try await client.replay(.get, try #require(rootJSON.link("CurrentUser")), as: octo)
            #expect(me.status == .ok)
            #expect(try me.json()["Username"] as? String == "pusher")
            // Repositories/Async/BuiltInPackageRepositoryRepository.cs PushPackage: the link has overwriteMode, so it is filled
            // in; OctopusAsyncClient.cs posts a FileUpload as MultipartFormDataContent.
            let upload = try #require(homeJSON.link("PackageUpload"))
            #expect(upload.contains("overwriteMode"))
            let pushPath = OctopusWire.expand(upload, ["overwriteMode": "OverwriteExisting"])
            #expect(pushPath == "/api/Spaces-1/packages/raw?overwriteMode=OverwriteExisting")
            let pushed = try await client.replay(
                .post, pushPath, as: octo, body: .dotNet(filename: "PetClinicDB.2022.06.20.zip", bytes: Self.zipBytes))
            #expect(pushed.status == .created, "\(pushed.text)")
            let resource = try pushed.json()
            #expect(resource["PackageId"] as? String == "PetClinicDB")
            #expect(resource["Version"] as? String == "2022.06.20")
            #expect(resource["Hash"] as? String == Insecure.SHA1.hash(data: Self.zipBytes).map { String(format: "%02x", $0) }.joined())
            let again = try await client.replay(
                .post, pushPath, as: octo, body: .dotNet(filename: "PetClinicDB.2022.06.20.zip", bytes: randomBytes(100)))
            #expect(again.status == .ok, "OverwriteExisting replaces: \(again.text)")

            // `--space Spaces-1`: FindByNameOrIdOrFail matches ^Spaces-\d+$ and calls repository.Get(id) (Link("Spaces") with {id}).
            let byId = try await client.replay(.get, OctopusWire.expand(spacesLink, ["id": "Spaces-1"]), as: octo)
            #expect(byId.status == .ok)
            #expect(try byId.json()["Name"] as? String == "Default")
        }
    }

    /// `octopus package upload PetClinicDB.2022.06.21.zip --space Default --overwrite-mode overwrite [--delta]`
    /// (OctopusDeploy/cli on OctopusDeploy/go-octopusdeploy v2).
    @Test func octopusCliPackageUpload() async throws {
        let feed = try await TestFeed()
        defer { feed.remove() }
        let go = OctopusWire.Client(
            userAgent: "go-octopusdeploy/v2.64.0 (linux; amd64) go/go1.22.5 NoneOrUnknown octopus/2.14.0", apiKey: feed.pushKey,
            extra: [("Accept", "application/json")])
        let file = try temporaryFile(named: "body.bin", bytes: [])
        defer { try? FileManager.default.removeItem(at: file.deletingLastPathComponent()) }
        try await feed.app().test(.live) { client in
            let base = "http://127.0.0.1:\(client.port!)"
            // go-octopusdeploy pkg/client/octopusdeploy.go NewClientWithCredentials → getRoot: GET <url>/api/ (trailing slash).
            let root = try await client.replay(.get, "/api/", as: go)
            #expect(root.status == .ok)
            #expect(try root.json()["ApiVersion"] as? String == "3.0.0")
            // pkg/spaces/space_service.go GetDefaultSpace → GetAll: spacesTemplate "/api/spaces{/id}{?skip,ids,take,partialName}",
            // Items, following Links["Page.Next"].
            let spaces = try await client.replay(.get, OctopusWire.expand("/api/spaces{/id}{?skip,ids,take,partialName}", [:]), as: go)
            #expect(spaces.status == .ok)
            let spacesJSON = try spaces.json()
            #expect(spacesJSON.items.contains { $0["IsDefault"] as? Bool == true })
            #expect(spacesJSON.link("Page.Next") == nil, "one page: the Go client would loop on a Page.Next")
            // cli pkg/apiclient/client_factory.go GetSpacedClient: systemClient.Spaces.GetAll(), then strings.EqualFold on Name.
            let all = try await client.replay(.get, "/api/spaces/all", as: go)
            let found = try #require(try all.jsonArray().first { ($0["Name"] as? String)?.lowercased() == "default" })
            let spaceId = try #require(found["Id"] as? String)
            // NewClientWithCredentials(spaceID): getRoot again, then url.JoinPath(baseURLWithAPI, spaceID).
            #expect(try await client.replay(.get, "/api/", as: go).status == .ok)
            let spaceRoot = try await client.replay(.get, "/api/\(spaceId)", as: go)
            #expect(spaceRoot.status == .ok, "a missing space root makes the Go client say 'the space ID cannot be found'")
            // pkg/packages/package_delta_upload.go requestDeltaSignature (with --delta): a 404 means "no base version", so
            // uploadDelta falls back to the full file.
            let signature = try await client.replay(.get, "/api/\(spaceId)/packages/PetClinicDB/2022.06.21/delta-signature", as: go)
            #expect(signature.status == .notFound)
            #expect(try signature.json()["ErrorMessage"] as? String != nil, "Octopus error shape")
            // pkg/packages/package_service.go httpUploadPackageFile: uritemplates.PackageUpload
            // "/api/{spaceId}/packages/raw{?replace,overwriteMode}", body streamed by multipartstreaming.go: chunked, no length.
            let path = OctopusWire.expand("/api/{spaceId}/packages/raw{?replace,overwriteMode}", ["spaceId": spaceId, "overwriteMode": "OverwriteExisting"])
            let multipart = OctopusWire.Multipart.go(filename: "PetClinicDB.2022.06.21.zip", bytes: Self.zipBytes)
            try Data(multipart.body.readableBytesView).write(to: file)
            // Go's http.Client sends no `Expect: 100-continue`; curl would, so it is switched off.
            let trace = file.deletingLastPathComponent().appendingPathComponent("trace.txt")
            var arguments = [
                "-X", "POST", "-H", "Transfer-Encoding: chunked", "-H", "Expect:", "-H", "Content-Type: \(multipart.contentType)",
                "--data-binary", "@\(file.path)",
            ]
            for field in go.headers { arguments += ["-H", "\(field.name.rawName): \(field.value)"] }
            let result = try await Curl.run(arguments + ["--trace-ascii", trace.path, base + path])
            #expect(result.status == 201, "created: \(result.body)")
            // curl's trace: the request headers are the block after "=> Send header", up to the next "=>" or "<=".
            let traced = try String(contentsOf: trace, encoding: .utf8)
            let sent = try #require(traced.components(separatedBy: "=> Send header").dropFirst().first)
                .components(separatedBy: "\n").prefix { !$0.hasPrefix("=>") && !$0.hasPrefix("<=") }.joined(separator: "\n").lowercased()
            #expect(sent.contains("transfer-encoding: chunked") && !sent.contains("content-length:"), "a streamed body with no length: \(sent)")
            let response = try JSONSerialization.jsonObject(with: Data(result.body.utf8)) as? [String: Any] ?? [:]
            #expect(response["PackageId"] as? String == "PetClinicDB")
            #expect(response["Version"] as? String == "2022.06.21")
            // The same file again: httpUploadPackageFile reads 200 as "already there" (createdNewFile false), not an error.
            let repeated = try await Curl.run(arguments + [base + path])
            #expect(repeated.status == 200)
        }
    }

    /// `OctopusDeploy/push-package-action` (api-client.ts 3.x: `Client.create`, `resolveSpaceId`, `PackageRepository.push`).
    @Test func pushPackageGitHubAction() async throws {
        let feed = try await TestFeed()
        defer { feed.remove() }
        let action = OctopusWire.Client(
            userAgent: "axios/1.7.7", apiKey: feed.pushKey,
            extra: [("Accept", "application/json, text/plain, */*"), ("Accept-Encoding", "gzip,deflate,compress")])
        try await feed.app().test(.live) { client in
            // api-client.ts src/client.ts Client.create → getServerInformation → GET ~/api (apiLocation).
            let root = try await client.replay(.get, "/api", as: action)
            #expect(root.status == .ok)
            #expect((try root.json()["Version"] as? String)?.isEmpty == false)
            #expect((try root.json()["InstallationId"] as? String)?.isEmpty == false)
            // src/spaceResolver.ts resolveSpaceId: partialName, skip=0, take=BasicRepository.TakeAll (2147483647); exact Name.
            let spaces = try await client.replay(.get, "/api/spaces?partialName=Default&skip=0&take=2147483647", as: action)
            #expect(spaces.status == .ok, "take above the page cap is clamped, not refused: \(spaces.text)")
            let spacesJSON = try spaces.json()
            #expect(spacesJSON["TotalResults"] as? Int == 1)
            let spaceId = try #require(spacesJSON.items.first { $0["Name"] as? String == "Default" }?["Id"] as? String)
            // src/features/packages/packageRepository.ts upload: FormData "fileToUpload", POST ~/api/{spaceId}/packages/raw{?overwriteMode}.
            let path = OctopusWire.expand("/api/{spaceId}/packages/raw{?overwriteMode}", ["spaceId": spaceId, "overwriteMode": "FailIfExists"])
            let pushed = try await client.replay(.post, path, as: action, body: .npmFormData(filename: "PetClinicDB.2022.06.22.zip", bytes: Self.zipBytes))
            #expect(pushed.status == .created, "\(pushed.text)")
            #expect(try pushed.json()["Version"] as? String == "2022.06.22")
            // src/adapters/axiosAdapter.ts formatError prints ErrorMessage and Errors: a conflict must fill them.
            let conflict = try await client.replay(.post, path, as: action, body: .npmFormData(filename: "PetClinicDB.2022.06.22.zip", bytes: randomBytes(50)))
            #expect(conflict.status == .conflict)
            let error = try conflict.json()
            #expect((error["ErrorMessage"] as? String)?.isEmpty == false)
            #expect((error["Errors"] as? [String])?.isEmpty == false)
        }
    }

    /// OctopusDeploy/OctopusDeploy-Api `REST/bash/Feeds/PushPackage.sh`, run with the real curl and jq-like selection.
    @Test func restBashPushPackage() async throws {
        let feed = try await TestFeed()
        defer { feed.remove() }
        let file = try temporaryFile(named: "PetClinicDB.2022.06.23.zip", bytes: Self.zipBytes)
        defer { try? FileManager.default.removeItem(at: file.deletingLastPathComponent()) }
        try await feed.app().test(.live) { client in
            let base = "http://127.0.0.1:\(client.port!)"
            // PushPackage.sh: curl -s -H "X-Octopus-ApiKey: …" "$octopusURL/api/spaces/all" | jq '.[] | select(.Name == "Default") | .Id'
            let all = try await Curl.run(["-s", "-H", "X-Octopus-ApiKey: \(feed.pushKey)", "\(base)/api/spaces/all"])
            let spaces = try JSONSerialization.jsonObject(with: Data(all.body.utf8)) as? [[String: Any]] ?? []
            let spaceId = try #require(spaces.first { $0["Name"] as? String == "Default" }?["Id"] as? String)
            // PushPackage.sh: curl -X POST "$octopusURL/api/$spaceId/packages/raw?replace=false" -F "fileData=@$packageFile"; expects 201.
            let pushed = try await Curl.run([
                "-X", "POST", "\(base)/api/\(spaceId)/packages/raw?replace=false", "-H", "X-Octopus-ApiKey: \(feed.pushKey)",
                "-F", "fileData=@\(file.path)",
            ])
            #expect(pushed.status == 201, "\(pushed.body)")
        }
    }

    /// The PowerShell and Python feed scripts of OctopusDeploy-Api: find the space, read the latest and a pinned
    /// version, download one; and the Python push with its `fileData` part.
    @Test func restPowerShellAndPythonScripts() async throws {
        let feed = try await TestFeed()
        defer { feed.remove() }
        let pwsh = OctopusWire.Client(userAgent: "Mozilla/5.0 (Linux; Debian 12) PowerShell/7.4.6", apiKey: feed.pushKey)
        let python = OctopusWire.Client(
            userAgent: "python-requests/2.31.0", apiKey: feed.pushKey,
            extra: [("Accept", "*/*"), ("Accept-Encoding", "gzip, deflate")])
        let pinnedBytes = Self.zipBytes
        try await feed.app().test(.live) { client in
            // REST/python/Feeds/push-package.py: GET {uri}/spaces/all, next(x for x in spaces if x['Name'] == space_name).
            let all = try await client.replay(.get, "/api/spaces/all", as: python)
            let spaceId = try #require(try all.jsonArray().first { $0["Name"] as? String == "Default" }?["Id"] as? String)
            // push-package.py: POST {uri}/{space}/packages/raw?replace=false, files={'fileData': (name, f, 'multipart/form-data', …)}.
            for (version, bytes) in [("1.0.0.6", pinnedBytes), ("1.0.0.7", randomBytes(300)), ("1.0.0.8-beta", randomBytes(300))] {
                let pushed = try await client.replay(
                    .post, "/api/\(spaceId)/packages/raw?replace=false", as: python,
                    body: .pythonRequests(filename: "Package.Name.\(version).zip", bytes: bytes))
                #expect(pushed.status == .created, "\(version): \(pushed.text)")
            }

            // REST/PowerShell/Feeds/GetLatestPackageVersion.ps1: spaces?partialName=…&skip=0&take=100, Items | Where Name -eq.
            let spaces = try await client.replay(.get, "/api/spaces?partialName=\("Default")&skip=0&take=100", as: pwsh)
            #expect(try spaces.json().items.first?["Id"] as? String == spaceId)
            // …feeds/feeds-builtin/packages/versions?packageId=…&take=1, Items | Select-Object -First 1: the latest release.
            let latest = try await client.replay(.get, "/api/\(spaceId)/feeds/feeds-builtin/packages/versions?packageId=Package.Name&take=1", as: pwsh)
            #expect(latest.status == .ok)
            #expect(try latest.json().items.first?["Version"] as? String == "1.0.0.7", "prereleases only when asked for")
            #expect(try latest.json()["TotalResults"] as? Int == 2)
            // REST/PowerShell/Feeds/GetSpecificPackageVersion.ps1: versionRange=[1.0.0.6,1.0.0.6]&take=1 must be 1.0.0.6, not the newest.
            let pinned = try await client.replay(
                .get, "/api/\(spaceId)/feeds/feeds-builtin/packages/versions?packageId=Package.Name&versionRange=[1.0.0.6,1.0.0.6]&take=1", as: pwsh)
            #expect(pinned.status == .ok)
            #expect(try pinned.json().items.map { $0["Version"] as? String } == ["1.0.0.6"])
            let none = try await client.replay(
                .get, "/api/\(spaceId)/feeds/feeds-builtin/packages/versions?packageId=Package.Name&versionRange=[9.0]&take=1", as: pwsh)
            #expect(none.status == .ok)
            #expect(try none.json().items.isEmpty, "no match is an empty Items, never another version")

            // REST/PowerShell/Feeds/DownloadPackage.ps1: GET …/packages/packages-{name}.{version}, builds the file name from
            // PackageId, Version and FileExtension, then GET …/packages/{name}.{version}/raw (without the prefix).
            let metadata = try await client.replay(.get, "/api/\(spaceId)/packages/packages-Package.Name.1.0.0.6", as: pwsh)
            #expect(metadata.status == .ok, "\(metadata.text)")
            let package = try metadata.json()
            #expect(package["PackageId"] as? String == "Package.Name")
            #expect(package["Version"] as? String == "1.0.0.6")
            #expect(package["FileExtension"] as? String == ".zip")
            #expect(package.link("Raw") == "/api/Spaces-1/packages/packages-Package.Name.1.0.0.6/raw")
            let raw = try await client.replay(.get, "/api/\(spaceId)/packages/Package.Name.1.0.0.6/raw", as: pwsh)
            #expect(raw.status == .ok)
            #expect(Array(buffer: raw.body) == pinnedBytes)
            // REST/python/Feeds/download-package.py: …/packages/packages-{name}.{version}/raw.
            let pythonRaw = try await client.replay(.get, "/api/\(spaceId)/packages/packages-Package.Name.1.0.0.6/raw", as: python)
            #expect(Array(buffer: pythonRaw.body) == pinnedBytes)
        }
    }
}
