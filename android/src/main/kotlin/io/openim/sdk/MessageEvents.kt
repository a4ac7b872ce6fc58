package io.openim.sdk

import kotlinx.coroutines.channels.Channel
import kotlinx.coroutines.flow.Flow
import kotlinx.coroutines.flow.receiveAsFlow

/** One [AdvancedMsgListener] callback as a value. */
sealed interface MessageEvent {
    data class NewMessage(val message: Message) : MessageEvent
    data class OfflineNewMessage(val message: Message) : MessageEvent
    data class OnlineOnlyMessage(val message: Message) : MessageEvent
    data class Revoked(val revoked: RevokedInfo) : MessageEvent
    data class ReadReceipts(val receipts: List<MessageReceipt>) : MessageEvent
    data class Deleted(val message: Message) : MessageEvent
}

/** One [ConversationListener] callback as a value. */
sealed interface ConversationEvent {
    data class SyncStart(val reinstalled: Boolean) : ConversationEvent
    data class SyncFinish(val reinstalled: Boolean) : ConversationEvent
    data class SyncFailed(val reinstalled: Boolean) : ConversationEvent
    data class SyncProgress(val progress: Int) : ConversationEvent
    data class NewConversations(val conversations: List<Conversation>) : ConversationEvent
    data class Changed(val conversations: List<Conversation>) : ConversationEvent
    data class TotalUnread(val count: Int) : ConversationEvent
    data class InputStatus(val change: InputStatusChange) : ConversationEvent
}

/** Buffers events without bound until collected, so none is lost before collection starts. */
abstract class EventStream<E : Any> {
    private val channel = Channel<E>(Channel.UNLIMITED)

    /** The events, in order; collect it once. */
    val events: Flow<E> = channel.receiveAsFlow()

    /** The next event (suspends until there is one). */
    suspend fun next(): E = channel.receive()

    /** The next event if one is waiting, else `null`. */
    fun poll(): E? = channel.tryReceive().getOrNull()

    protected fun emit(event: E) {
        channel.trySend(event)
    }
}

/** An [AdvancedMsgListener] exposing a [Flow] of [MessageEvent]s. */
class MessageEventStream : EventStream<MessageEvent>(), AdvancedMsgListener {
    override fun onRecvNewMessage(message: Message) = emit(MessageEvent.NewMessage(message))
    override fun onRecvC2cReadReceipt(receipts: List<MessageReceipt>) = emit(MessageEvent.ReadReceipts(receipts))
    override fun onNewRecvMessageRevoked(revoked: RevokedInfo) = emit(MessageEvent.Revoked(revoked))
    override fun onRecvOfflineNewMessage(message: Message) = emit(MessageEvent.OfflineNewMessage(message))
    override fun onMsgDeleted(message: Message) = emit(MessageEvent.Deleted(message))
    override fun onRecvOnlineOnlyMessage(message: Message) = emit(MessageEvent.OnlineOnlyMessage(message))
}

/** A [ConversationListener] exposing a [Flow] of [ConversationEvent]s. */
class ConversationEventStream : EventStream<ConversationEvent>(), ConversationListener {
    override fun onSyncServerStart(reinstalled: Boolean) = emit(ConversationEvent.SyncStart(reinstalled))
    override fun onSyncServerFinish(reinstalled: Boolean) = emit(ConversationEvent.SyncFinish(reinstalled))
    override fun onSyncServerFailed(reinstalled: Boolean) = emit(ConversationEvent.SyncFailed(reinstalled))
    override fun onSyncServerProgress(progress: Int) = emit(ConversationEvent.SyncProgress(progress))
    override fun onNewConversation(conversations: List<Conversation>) = emit(ConversationEvent.NewConversations(conversations))
    override fun onConversationChanged(conversations: List<Conversation>) = emit(ConversationEvent.Changed(conversations))
    override fun onTotalUnreadMessageCountChanged(totalUnreadCount: Int) = emit(ConversationEvent.TotalUnread(totalUnreadCount))
    override fun onConversationUserInputStatusChanged(change: InputStatusChange) = emit(ConversationEvent.InputStatus(change))
}
