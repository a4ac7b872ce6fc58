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

/// An `AdvancedMsgListener` exposing an `AsyncStream` of `MessageEvent`s.
public final class MessageEventStream: AdvancedMsgListener, @unchecked Sendable {
    public let events: AsyncStream<MessageEvent>
    private let continuation: AsyncStream<MessageEvent>.Continuation

    public init() {
        (events, continuation) = AsyncStream.makeStream(of: MessageEvent.self)
    }

    deinit { continuation.finish() }

    public func onRecvNewMessage(message: Message) { continuation.yield(.newMessage(message)) }
    public func onRecvC2cReadReceipt(receipts: [MessageReceipt]) { continuation.yield(.readReceipts(receipts)) }
    public func onNewRecvMessageRevoked(revoked: RevokedInfo) { continuation.yield(.revoked(revoked)) }
    public func onRecvOfflineNewMessage(message: Message) { continuation.yield(.offlineNewMessage(message)) }
    public func onMsgDeleted(message: Message) { continuation.yield(.deleted(message)) }
    public func onRecvOnlineOnlyMessage(message: Message) { continuation.yield(.onlineOnlyMessage(message)) }
}

/// A `ConversationListener` exposing an `AsyncStream` of `ConversationEvent`s.
public final class ConversationEventStream: ConversationListener, @unchecked Sendable {
    public let events: AsyncStream<ConversationEvent>
    private let continuation: AsyncStream<ConversationEvent>.Continuation

    public init() {
        (events, continuation) = AsyncStream.makeStream(of: ConversationEvent.self)
    }

    deinit { continuation.finish() }

    public func onSyncServerStart(reinstalled: Bool) { continuation.yield(.syncStart(reinstalled: reinstalled)) }
    public func onSyncServerFinish(reinstalled: Bool) { continuation.yield(.syncFinish(reinstalled: reinstalled)) }
    public func onSyncServerFailed(reinstalled: Bool) { continuation.yield(.syncFailed(reinstalled: reinstalled)) }
    public func onSyncServerProgress(progress: Int32) { continuation.yield(.syncProgress(progress)) }
    public func onNewConversation(conversations: [Conversation]) { continuation.yield(.newConversations(conversations)) }
    public func onConversationChanged(conversations: [Conversation]) { continuation.yield(.changed(conversations)) }
    public func onTotalUnreadMessageCountChanged(totalUnreadCount: Int32) { continuation.yield(.totalUnread(totalUnreadCount)) }
    public func onConversationUserInputStatusChanged(change: InputStatusChange) { continuation.yield(.inputStatus(change)) }
}
