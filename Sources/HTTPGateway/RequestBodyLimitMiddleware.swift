import HTTPTypes
import Hummingbird

/// Refuses a request whose declared `Content-Length` exceeds the limit, before any route runs.
///
/// `maxUploadSize` only applies when a route collects the body; this catches oversized uploads
/// to routes that stream or ignore it, and answers them without reading a byte of the body.
struct RequestBodyLimitMiddleware<Context: RequestContext>: RouterMiddleware {
    let maxBytes: Int

    func handle(
        _ request: Request,
        context: Context,
        next: (Request, Context) async throws -> Response
    ) async throws -> Response {
        if let declared = request.headers[.contentLength], let length = Int(declared), length > maxBytes {
            throw HTTPError(.contentTooLarge)
        }
        return try await next(request, context)
    }
}
