import Foundation

/// One `AdvancedMsgListener` callback as a value.
public enum MessageEvent: Equatable, Sendable {
    case newMessage(Message)
    case offlineNewMessage(Message)
    case onlineOnlyMessage(Message)
    case revoked(RevokedInfo)
    case readReceipts([MessageReceipt])
    case deleted(Message)
}

/// One `ConversationListener` callback as a value.
public enum ConversationEvent: Equatable, Sendable {
    case syncStart(reinstalled: Bool)
    case syncFinish(reinstalled: Bool)
    case syncFailed(reinstalled: Bool)
    case syncProgress(Int32)
    case newConversations([Conversation])
    case changed([Conversation])
    case totalUnread(Int32)
    case inputStatus(InputStatusChange)
}

/// An `AdvancedMsgListener` exposing an `AsyncStream` of `MessageEvent`s (read it once; a full
/// buffer makes the SDK wait, nothing is dropped).
public final class MessageEventStream: AdvancedMsgListener, @unchecked Sendable {
    let buffer = EventBuffer<MessageEvent>()
    public let events: AsyncStream<MessageEvent>

    public init() {
        events = buffer.stream()
    }

    deinit { buffer.finish() }

    public func onRecvNewMessage(message: Message) { buffer.push(.newMessage(message)) }
    public func onRecvC2cReadReceipt(receipts: [MessageReceipt]) { buffer.push(.readReceipts(receipts)) }
    public func onNewRecvMessageRevoked(revoked: RevokedInfo) { buffer.push(.revoked(revoked)) }
    public func onRecvOfflineNewMessage(message: Message) { buffer.push(.offlineNewMessage(message)) }
    public func onMsgDeleted(message: Message) { buffer.push(.deleted(message)) }
    public func onRecvOnlineOnlyMessage(message: Message) { buffer.push(.onlineOnlyMessage(message)) }
}

/// A `ConversationListener` exposing an `AsyncStream` of `ConversationEvent`s.
public final class ConversationEventStream: ConversationListener, @unchecked Sendable {
    let buffer = EventBuffer<ConversationEvent>()
    public let events: AsyncStream<ConversationEvent>

    public init() {
        events = buffer.stream()
    }

    deinit { buffer.finish() }

    public func onSyncServerStart(reinstalled: Bool) { buffer.push(.syncStart(reinstalled: reinstalled)) }
    public func onSyncServerFinish(reinstalled: Bool) { buffer.push(.syncFinish(reinstalled: reinstalled)) }
    public func onSyncServerFailed(reinstalled: Bool) { buffer.push(.syncFailed(reinstalled: reinstalled)) }
    public func onSyncServerProgress(progress: Int32) { buffer.push(.syncProgress(progress)) }
    public func onNewConversation(conversations: [Conversation]) { buffer.push(.newConversations(conversations)) }
    public func onConversationChanged(conversations: [Conversation]) { buffer.push(.changed(conversations)) }
    public func onTotalUnreadMessageCountChanged(totalUnreadCount: Int32) { buffer.push(.totalUnread(totalUnreadCount)) }
    public func onConversationUserInputStatusChanged(change: InputStatusChange) { buffer.push(.inputStatus(change)) }
}

public extension OpenIMClient {
    /// Message events; every call registers a listener of its own, removed when the stream
    /// ends, so several readers each see every event.
    func messageEvents() -> AsyncStream<MessageEvent> {
        let listener = MessageEventStream()
        let handle = addAdvancedMsgListener(listener: listener)
        return listener.buffer.stream(onEnd: { handle.cancel() })
    }

    /// Conversation events, one listener per stream (see `messageEvents()`).
    func conversationEvents() -> AsyncStream<ConversationEvent> {
        let listener = ConversationEventStream()
        let handle = addConversationListener(listener: listener)
        return listener.buffer.stream(onEnd: { handle.cancel() })
    }
}

/// A `CustomBusinessListener` exposing an `AsyncStream` of `BusinessNotification`s.
public final class BusinessNotificationStream: CustomBusinessListener, @unchecked Sendable {
    let buffer = EventBuffer<BusinessNotification>()
    public let events: AsyncStream<BusinessNotification>

    public init() {
        events = buffer.stream()
    }

    deinit { buffer.finish() }

    public func onRecvCustomBusinessMessage(notification: BusinessNotification) { buffer.push(notification) }
}

public extension OpenIMClient {
    /// Custom business notifications, one listener per stream (see `messageEvents()`).
    func businessNotifications() -> AsyncStream<BusinessNotification> {
        let listener = BusinessNotificationStream()
        let handle = addCustomBusinessListener(listener: listener)
        return listener.buffer.stream(onEnd: { handle.cancel() })
    }
}
