import Foundation

/// One `FriendListener` callback as a value.
public enum FriendEvent: Equatable, Sendable {
    case applicationAdded(FriendApplication)
    case applicationDeleted(FriendApplication)
    case applicationAccepted(FriendApplication)
    case applicationRejected(FriendApplication)
    case friendAdded(FriendInfo)
    case friendDeleted(FriendInfo)
    case friendInfoChanged(FriendInfo)
    case blackAdded(BlackInfo)
    case blackDeleted(BlackInfo)
}

/// One `UserListener` callback as a value.
public enum UserEvent: Equatable, Sendable {
    case selfInfoUpdated(UserInfo)
    case statusChanged(OnlineStatus)
}

/// A `FriendListener` exposing an `AsyncStream` of `FriendEvent`s (bounded: a full buffer makes
/// the SDK wait, nothing is dropped).
public final class FriendEventStream: FriendListener, @unchecked Sendable {
    let buffer = EventBuffer<FriendEvent>()
    public let events: AsyncStream<FriendEvent>

    public init() {
        events = buffer.stream()
    }

    deinit { buffer.finish() }

    public func onFriendApplicationAdded(application: FriendApplication) { buffer.push(.applicationAdded(application)) }
    public func onFriendApplicationDeleted(application: FriendApplication) { buffer.push(.applicationDeleted(application)) }
    public func onFriendApplicationAccepted(application: FriendApplication) { buffer.push(.applicationAccepted(application)) }
    public func onFriendApplicationRejected(application: FriendApplication) { buffer.push(.applicationRejected(application)) }
    public func onFriendAdded(friend: FriendInfo) { buffer.push(.friendAdded(friend)) }
    public func onFriendDeleted(friend: FriendInfo) { buffer.push(.friendDeleted(friend)) }
    public func onFriendInfoChanged(friend: FriendInfo) { buffer.push(.friendInfoChanged(friend)) }
    public func onBlackAdded(black: BlackInfo) { buffer.push(.blackAdded(black)) }
    public func onBlackDeleted(black: BlackInfo) { buffer.push(.blackDeleted(black)) }
}

/// A `UserListener` exposing an `AsyncStream` of `UserEvent`s.
public final class UserEventStream: UserListener, @unchecked Sendable {
    let buffer = EventBuffer<UserEvent>()
    public let events: AsyncStream<UserEvent>

    public init() {
        events = buffer.stream()
    }

    deinit { buffer.finish() }

    public func onSelfInfoUpdated(info: UserInfo) { buffer.push(.selfInfoUpdated(info)) }
    public func onUserStatusChanged(status: OnlineStatus) { buffer.push(.statusChanged(status)) }
}

public extension OpenIMClient {
    /// Friend events; every call registers a listener of its own, removed when the stream ends.
    func friendEvents() -> AsyncStream<FriendEvent> {
        let listener = FriendEventStream()
        let handle = addFriendListener(listener: listener)
        return listener.buffer.stream(onEnd: { handle.cancel() })
    }

    /// Own-profile and presence events, one listener per stream.
    func userEvents() -> AsyncStream<UserEvent> {
        let listener = UserEventStream()
        let handle = addUserListener(listener: listener)
        return listener.buffer.stream(onEnd: { handle.cancel() })
    }
}
