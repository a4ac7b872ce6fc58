import Foundation

/// One `GroupListener` callback as a value.
public enum GroupEvent: Equatable, Sendable {
    case joinedGroupAdded(GroupInfo)
    case joinedGroupDeleted(GroupInfo)
    case memberAdded(GroupMember)
    case memberDeleted(GroupMember)
    case applicationAdded(GroupApplication)
    case applicationDeleted(GroupApplication)
    case applicationAccepted(GroupApplication)
    case applicationRejected(GroupApplication)
    case groupInfoChanged(GroupInfo)
    case groupDismissed(GroupInfo)
    case memberInfoChanged(GroupMember)
}

/// A `GroupListener` exposing an `AsyncStream` of `GroupEvent`s (bounded: a full buffer makes
/// the SDK wait, nothing is dropped).
public final class GroupEventStream: GroupListener, @unchecked Sendable {
    let buffer = EventBuffer<GroupEvent>()
    public let events: AsyncStream<GroupEvent>

    public init() {
        events = buffer.stream()
    }

    deinit { buffer.finish() }

    public func onJoinedGroupAdded(group: GroupInfo) { buffer.push(.joinedGroupAdded(group)) }
    public func onJoinedGroupDeleted(group: GroupInfo) { buffer.push(.joinedGroupDeleted(group)) }
    public func onGroupMemberAdded(member: GroupMember) { buffer.push(.memberAdded(member)) }
    public func onGroupMemberDeleted(member: GroupMember) { buffer.push(.memberDeleted(member)) }
    public func onGroupApplicationAdded(application: GroupApplication) { buffer.push(.applicationAdded(application)) }
    public func onGroupApplicationDeleted(application: GroupApplication) { buffer.push(.applicationDeleted(application)) }
    public func onGroupApplicationAccepted(application: GroupApplication) { buffer.push(.applicationAccepted(application)) }
    public func onGroupApplicationRejected(application: GroupApplication) { buffer.push(.applicationRejected(application)) }
    public func onGroupInfoChanged(group: GroupInfo) { buffer.push(.groupInfoChanged(group)) }
    public func onGroupDismissed(group: GroupInfo) { buffer.push(.groupDismissed(group)) }
    public func onGroupMemberInfoChanged(member: GroupMember) { buffer.push(.memberInfoChanged(member)) }
}

public extension OpenIMClient {
    /// Group events; every call registers a listener of its own, removed when the stream ends.
    func groupEvents() -> AsyncStream<GroupEvent> {
        let listener = GroupEventStream()
        let handle = addGroupListener(listener: listener)
        return listener.buffer.stream(onEnd: { handle.cancel() })
    }
}
