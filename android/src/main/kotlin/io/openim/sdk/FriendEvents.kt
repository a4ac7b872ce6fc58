package io.openim.sdk

import kotlinx.coroutines.channels.awaitClose
import kotlinx.coroutines.channels.trySendBlocking
import kotlinx.coroutines.flow.Flow
import kotlinx.coroutines.flow.buffer
import kotlinx.coroutines.flow.callbackFlow

/** One [FriendListener] callback as a value. */
sealed interface FriendEvent {
    data class ApplicationAdded(val application: FriendApplication) : FriendEvent
    data class ApplicationDeleted(val application: FriendApplication) : FriendEvent
    data class ApplicationAccepted(val application: FriendApplication) : FriendEvent
    data class ApplicationRejected(val application: FriendApplication) : FriendEvent
    data class FriendAdded(val friend: FriendInfo) : FriendEvent
    data class FriendDeleted(val friend: FriendInfo) : FriendEvent
    data class FriendInfoChanged(val friend: FriendInfo) : FriendEvent
    data class BlackAdded(val black: BlackInfo) : FriendEvent
    data class BlackDeleted(val black: BlackInfo) : FriendEvent
}

/** One [UserListener] callback as a value. */
sealed interface UserEvent {
    data class SelfInfoUpdated(val info: UserInfo) : UserEvent
    data class StatusChanged(val status: OnlineStatus) : UserEvent
}

private class FriendCallbacks(private val emit: (FriendEvent) -> Unit) : FriendListener {
    override fun onFriendApplicationAdded(application: FriendApplication) = emit(FriendEvent.ApplicationAdded(application))
    override fun onFriendApplicationDeleted(application: FriendApplication) = emit(FriendEvent.ApplicationDeleted(application))
    override fun onFriendApplicationAccepted(application: FriendApplication) = emit(FriendEvent.ApplicationAccepted(application))
    override fun onFriendApplicationRejected(application: FriendApplication) = emit(FriendEvent.ApplicationRejected(application))
    override fun onFriendAdded(friend: FriendInfo) = emit(FriendEvent.FriendAdded(friend))
    override fun onFriendDeleted(friend: FriendInfo) = emit(FriendEvent.FriendDeleted(friend))
    override fun onFriendInfoChanged(friend: FriendInfo) = emit(FriendEvent.FriendInfoChanged(friend))
    override fun onBlackAdded(black: BlackInfo) = emit(FriendEvent.BlackAdded(black))
    override fun onBlackDeleted(black: BlackInfo) = emit(FriendEvent.BlackDeleted(black))
}

private class UserCallbacks(private val emit: (UserEvent) -> Unit) : UserListener {
    override fun onSelfInfoUpdated(info: UserInfo) = emit(UserEvent.SelfInfoUpdated(info))
    override fun onUserStatusChanged(status: OnlineStatus) = emit(UserEvent.StatusChanged(status))
}

/** A [FriendListener] exposing a [Flow] of [FriendEvent]s (bounded; see [EventStream]). */
class FriendEventStream : EventStream<FriendEvent>(), FriendListener {
    override fun onFriendApplicationAdded(application: FriendApplication) = emit(FriendEvent.ApplicationAdded(application))
    override fun onFriendApplicationDeleted(application: FriendApplication) = emit(FriendEvent.ApplicationDeleted(application))
    override fun onFriendApplicationAccepted(application: FriendApplication) = emit(FriendEvent.ApplicationAccepted(application))
    override fun onFriendApplicationRejected(application: FriendApplication) = emit(FriendEvent.ApplicationRejected(application))
    override fun onFriendAdded(friend: FriendInfo) = emit(FriendEvent.FriendAdded(friend))
    override fun onFriendDeleted(friend: FriendInfo) = emit(FriendEvent.FriendDeleted(friend))
    override fun onFriendInfoChanged(friend: FriendInfo) = emit(FriendEvent.FriendInfoChanged(friend))
    override fun onBlackAdded(black: BlackInfo) = emit(FriendEvent.BlackAdded(black))
    override fun onBlackDeleted(black: BlackInfo) = emit(FriendEvent.BlackDeleted(black))
}

/** A [UserListener] exposing a [Flow] of [UserEvent]s (bounded; see [EventStream]). */
class UserEventStream : EventStream<UserEvent>(), UserListener {
    override fun onSelfInfoUpdated(info: UserInfo) = emit(UserEvent.SelfInfoUpdated(info))
    override fun onUserStatusChanged(status: OnlineStatus) = emit(UserEvent.StatusChanged(status))
}

/** Friend events as a cold [Flow], one listener per collection (see [messageEvents]). */
fun OpenImClient.friendEvents(): Flow<FriendEvent> = callbackFlow {
    val handle = addFriendListener(FriendCallbacks { trySendBlocking(it) })
    awaitClose { handle.cancel() }
}.buffer(EVENT_BUFFER)

/** User events as a cold [Flow], one listener per collection (see [messageEvents]). */
fun OpenImClient.userEvents(): Flow<UserEvent> = callbackFlow {
    val handle = addUserListener(UserCallbacks { trySendBlocking(it) })
    awaitClose { handle.cancel() }
}.buffer(EVENT_BUFFER)
