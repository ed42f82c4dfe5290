public import Hummingbird

/// The context of every HTTP request Mailgate serves.
///
/// Routes added by later issues (Autodiscover, ActiveSync, calendars) store per-request state
/// here, such as the signed-in user.
public struct GatewayRequestContext: RequestContext {
    /// Hummingbird's own per-request storage (logger, parameters, endpoint path).
    public var coreContext: CoreRequestContextStorage

    /// Made by Hummingbird for each request.
    public init(source: ApplicationRequestContextSource) {
        coreContext = .init(source: source)
    }

    /// Bodies are collected up to ``HTTPGateway/maxRequestBodyBytes``; beyond that Hummingbird answers 413.
    public var maxUploadSize: Int { HTTPGateway.maxRequestBodyBytes }
}
