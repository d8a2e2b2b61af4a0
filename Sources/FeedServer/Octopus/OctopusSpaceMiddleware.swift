import HTTPTypes
import Hummingbird

/// Runs in front of every `api/Spaces-{spaceNumber}/…` route: a space that does not exist (`Spaces-2`,
/// `Spaces-x`) is an Octopus 404 that names the space there is, never silently the one space.
struct OctopusSpaceMiddleware: RouterMiddleware {
    typealias Context = AppRequestContext
    let space: OctopusSpace

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        try space.requireKnown(number: context.parameters.get("spaceNumber"))
        return try await next(request, context)
    }
}
