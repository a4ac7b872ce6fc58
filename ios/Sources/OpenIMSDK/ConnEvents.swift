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

/// A `ConnListener` that turns callbacks into an `AsyncStream` (read it once; a full buffer
/// makes the SDK wait, nothing is dropped):
///
/// ```swift
/// let conn = ConnEventStream()
/// let handle = client.addConnListener(listener: conn)   // registered while `handle` lives
/// for await event in conn.events { ... }
/// ```
public final class ConnEventStream: ConnListener, @unchecked Sendable {
    let buffer = EventBuffer<ConnEvent>()
    public let events: AsyncStream<ConnEvent>

    public init() {
        events = buffer.stream()
    }

    deinit { buffer.finish() }

    public func onConnecting() { buffer.push(.connecting) }
    public func onConnectSuccess() { buffer.push(.connectSuccess) }
    public func onConnectFailed(code: Int32, msg: String) { buffer.push(.connectFailed(code: code, msg: msg)) }
    public func onKickedOffline() { buffer.push(.kickedOffline) }
    public func onUserTokenExpired() { buffer.push(.userTokenExpired) }
    public func onUserTokenInvalid(msg: String) { buffer.push(.userTokenInvalid(msg: msg)) }
}

public extension OpenIMClient {
    /// Connection events; every call registers a listener of its own (first told the current
    /// state when logged in), removed when the stream ends, so several readers each see every
    /// event.
    func connEvents() -> AsyncStream<ConnEvent> {
        let listener = ConnEventStream()
        let handle = addConnListener(listener: listener)
        return listener.buffer.stream(onEnd: { handle.cancel() })
    }
}

public extension OpenIMError {
    /// OpenIM's numeric error code.
    var code: Int32 {
        switch self {
        case let .Network(code, _), let .Timeout(code, _), let .InvalidArgument(code, _), let .NotLoggedIn(code, _),
             let .LoginRepeat(code, _), let .Token(code, _), let .Server(code, _), let .Protocol(code, _),
             let .Database(code, _), let .Internal(code, _), let .Cancelled(code, _):
            return code
        }
    }
}
