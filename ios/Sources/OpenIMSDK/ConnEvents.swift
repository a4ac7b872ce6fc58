import Foundation

/// Aliases with OpenIM's capitalisation for the generated types.
public typealias OpenIMClient = OpenImClient
public typealias OpenIMConfig = OpenImConfig
public typealias OpenIMError = OpenImError

/// One `ConnListener` callback as a value.
public enum ConnEvent: Equatable, Sendable {
    case connecting
    case connectSuccess
    case connectFailed(code: Int32, msg: String)
    case kickedOffline
    case userTokenExpired
    case userTokenInvalid(msg: String)
}

/// A `ConnListener` that turns callbacks into an `AsyncStream`:
///
/// ```swift
/// let conn = ConnEventStream()
/// client.setConnListener(listener: conn)
/// for await event in conn.events { ... }
/// ```
public final class ConnEventStream: ConnListener, @unchecked Sendable {
    public let events: AsyncStream<ConnEvent>
    private let continuation: AsyncStream<ConnEvent>.Continuation

    public init() {
        (events, continuation) = AsyncStream.makeStream(of: ConnEvent.self)
    }

    deinit {
        continuation.finish()
    }

    public func onConnecting() { continuation.yield(.connecting) }
    public func onConnectSuccess() { continuation.yield(.connectSuccess) }
    public func onConnectFailed(code: Int32, msg: String) { continuation.yield(.connectFailed(code: code, msg: msg)) }
    public func onKickedOffline() { continuation.yield(.kickedOffline) }
    public func onUserTokenExpired() { continuation.yield(.userTokenExpired) }
    public func onUserTokenInvalid(msg: String) { continuation.yield(.userTokenInvalid(msg: msg)) }
}

public extension OpenIMError {
    /// OpenIM's numeric error code.
    var code: Int32 {
        switch self {
        case let .Network(code, _), let .Timeout(code, _), let .InvalidArgument(code, _), let .NotLoggedIn(code, _),
             let .LoginRepeat(code, _), let .Token(code, _), let .Server(code, _), let .Protocol(code, _),
             let .Database(code, _), let .Internal(code, _):
            return code
        }
    }
}
