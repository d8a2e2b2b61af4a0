import Hummingbird

/// Times every request until its response body has been written (a download's time includes sending the
/// file) and records it by method and status. Placed first, so that it sees the status the error middleware
/// chose; an error that still escapes is recorded with the status it maps to.
struct HTTPMetricsMiddleware<Context: RequestContext>: RouterMiddleware {
    let metrics: FeedMetrics

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        let started = ContinuousClock.now
        let method = request.method
        do {
            var response = try await next(request, context)
            let status = response.status
            let metrics = metrics
            let body = response.body
            response.body = ResponseBody(contentLength: body.contentLength) { writer in
                defer { metrics.recordRequest(method: method, status: status, duration: ContinuousClock.now - started) }
                try await body.write(writer)
            }
            return response
        } catch {
            metrics.recordRequest(method: method, status: ErrorMapping.apiError(for: error).status, duration: ContinuousClock.now - started)
            throw error
        }
    }
}
