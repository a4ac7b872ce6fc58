package io.openim.sdk

import kotlinx.coroutines.channels.Channel
import kotlinx.coroutines.channels.awaitClose
import kotlinx.coroutines.channels.trySendBlocking
import kotlinx.coroutines.flow.Flow
import kotlinx.coroutines.flow.buffer
import kotlinx.coroutines.flow.callbackFlow
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

/** Events buffered for a slow collector before the SDK's listener thread waits for it. */
const val EVENT_BUFFER = 256

/**
 * A listener that keeps its events until they are read, up to [capacity]; when the buffer is
 * full, the callback waits (the SDK then slows delivery to this listener, nothing is dropped).
 */
abstract class EventStream<E : Any>(capacity: Int = EVENT_BUFFER) {
    private val channel = Channel<E>(capacity)

    /** The events, in order; collect it once (for several collectors use the client's flows). */
    val events: Flow<E> = channel.receiveAsFlow()

    /** The next event (suspends until there is one). */
    suspend fun next(): E = channel.receive()

    /** The next event if one is waiting, else `null`. */
    fun poll(): E? = channel.tryReceive().getOrNull()

    protected fun emit(event: E) {
        channel.trySendBlocking(event)
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

/**
 * Message events as a cold [Flow]: each collection registers its own listener (cancelled when
 * the collection ends), so several collectors each see every event. A slow collector makes the
 * SDK wait once [EVENT_BUFFER] events are buffered for it; nothing is dropped.
 */
fun OpenImClient.messageEvents(): Flow<MessageEvent> = callbackFlow {
    val listener = object : AdvancedMsgListener {
        override fun onRecvNewMessage(message: Message) { trySendBlocking(MessageEvent.NewMessage(message)) }
        override fun onRecvC2cReadReceipt(receipts: List<MessageReceipt>) { trySendBlocking(MessageEvent.ReadReceipts(receipts)) }
        override fun onNewRecvMessageRevoked(revoked: RevokedInfo) { trySendBlocking(MessageEvent.Revoked(revoked)) }
        override fun onRecvOfflineNewMessage(message: Message) { trySendBlocking(MessageEvent.OfflineNewMessage(message)) }
        override fun onMsgDeleted(message: Message) { trySendBlocking(MessageEvent.Deleted(message)) }
        override fun onRecvOnlineOnlyMessage(message: Message) { trySendBlocking(MessageEvent.OnlineOnlyMessage(message)) }
    }
    val handle = addAdvancedMsgListener(listener)
    awaitClose { handle.cancel() }
}.buffer(EVENT_BUFFER)

/** Conversation events as a cold [Flow], one listener per collection (see [messageEvents]). */
fun OpenImClient.conversationEvents(): Flow<ConversationEvent> = callbackFlow {
    val listener = object : ConversationListener {
        override fun onSyncServerStart(reinstalled: Boolean) { trySendBlocking(ConversationEvent.SyncStart(reinstalled)) }
        override fun onSyncServerFinish(reinstalled: Boolean) { trySendBlocking(ConversationEvent.SyncFinish(reinstalled)) }
        override fun onSyncServerFailed(reinstalled: Boolean) { trySendBlocking(ConversationEvent.SyncFailed(reinstalled)) }
        override fun onSyncServerProgress(progress: Int) { trySendBlocking(ConversationEvent.SyncProgress(progress)) }
        override fun onNewConversation(conversations: List<Conversation>) { trySendBlocking(ConversationEvent.NewConversations(conversations)) }
        override fun onConversationChanged(conversations: List<Conversation>) { trySendBlocking(ConversationEvent.Changed(conversations)) }
        override fun onTotalUnreadMessageCountChanged(totalUnreadCount: Int) { trySendBlocking(ConversationEvent.TotalUnread(totalUnreadCount)) }
        override fun onConversationUserInputStatusChanged(change: InputStatusChange) { trySendBlocking(ConversationEvent.InputStatus(change)) }
    }
    val handle = addConversationListener(listener)
    awaitClose { handle.cancel() }
}.buffer(EVENT_BUFFER)

/** A [CustomBusinessListener] exposing a [Flow] of [BusinessNotification]s (bounded; see [EventStream]). */
class BusinessNotificationStream : EventStream<BusinessNotification>(), CustomBusinessListener {
    override fun onRecvCustomBusinessMessage(notification: BusinessNotification) = emit(notification)
}

/** Custom business notifications as a cold [Flow], one listener per collection (see [messageEvents]). */
fun OpenImClient.businessNotifications(): Flow<BusinessNotification> = callbackFlow {
    val listener = object : CustomBusinessListener {
        override fun onRecvCustomBusinessMessage(notification: BusinessNotification) { trySendBlocking(notification) }
    }
    val handle = addCustomBusinessListener(listener)
    awaitClose { handle.cancel() }
}.buffer(EVENT_BUFFER)
