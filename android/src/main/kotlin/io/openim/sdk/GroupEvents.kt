package io.openim.sdk

import kotlinx.coroutines.channels.awaitClose
import kotlinx.coroutines.channels.trySendBlocking
import kotlinx.coroutines.flow.Flow
import kotlinx.coroutines.flow.buffer
import kotlinx.coroutines.flow.callbackFlow

/** One [GroupListener] callback as a value. */
sealed interface GroupEvent {
    data class JoinedGroupAdded(val group: GroupInfo) : GroupEvent
    data class JoinedGroupDeleted(val group: GroupInfo) : GroupEvent
    data class MemberAdded(val member: GroupMember) : GroupEvent
    data class MemberDeleted(val member: GroupMember) : GroupEvent
    data class ApplicationAdded(val application: GroupApplication) : GroupEvent
    data class ApplicationDeleted(val application: GroupApplication) : GroupEvent
    data class ApplicationAccepted(val application: GroupApplication) : GroupEvent
    data class ApplicationRejected(val application: GroupApplication) : GroupEvent
    data class GroupInfoChanged(val group: GroupInfo) : GroupEvent
    data class GroupDismissed(val group: GroupInfo) : GroupEvent
    data class MemberInfoChanged(val member: GroupMember) : GroupEvent
}

private class GroupCallbacks(private val emit: (GroupEvent) -> Unit) : GroupListener {
    override fun onJoinedGroupAdded(group: GroupInfo) = emit(GroupEvent.JoinedGroupAdded(group))
    override fun onJoinedGroupDeleted(group: GroupInfo) = emit(GroupEvent.JoinedGroupDeleted(group))
    override fun onGroupMemberAdded(member: GroupMember) = emit(GroupEvent.MemberAdded(member))
    override fun onGroupMemberDeleted(member: GroupMember) = emit(GroupEvent.MemberDeleted(member))
    override fun onGroupApplicationAdded(application: GroupApplication) = emit(GroupEvent.ApplicationAdded(application))
    override fun onGroupApplicationDeleted(application: GroupApplication) = emit(GroupEvent.ApplicationDeleted(application))
    override fun onGroupApplicationAccepted(application: GroupApplication) = emit(GroupEvent.ApplicationAccepted(application))
    override fun onGroupApplicationRejected(application: GroupApplication) = emit(GroupEvent.ApplicationRejected(application))
    override fun onGroupInfoChanged(group: GroupInfo) = emit(GroupEvent.GroupInfoChanged(group))
    override fun onGroupDismissed(group: GroupInfo) = emit(GroupEvent.GroupDismissed(group))
    override fun onGroupMemberInfoChanged(member: GroupMember) = emit(GroupEvent.MemberInfoChanged(member))
}

/** A [GroupListener] exposing a [Flow] of [GroupEvent]s (bounded; see [EventStream]). */
class GroupEventStream : EventStream<GroupEvent>(), GroupListener {
    private val callbacks = GroupCallbacks { emit(it) }
    override fun onJoinedGroupAdded(group: GroupInfo) = callbacks.onJoinedGroupAdded(group)
    override fun onJoinedGroupDeleted(group: GroupInfo) = callbacks.onJoinedGroupDeleted(group)
    override fun onGroupMemberAdded(member: GroupMember) = callbacks.onGroupMemberAdded(member)
    override fun onGroupMemberDeleted(member: GroupMember) = callbacks.onGroupMemberDeleted(member)
    override fun onGroupApplicationAdded(application: GroupApplication) = callbacks.onGroupApplicationAdded(application)
    override fun onGroupApplicationDeleted(application: GroupApplication) = callbacks.onGroupApplicationDeleted(application)
    override fun onGroupApplicationAccepted(application: GroupApplication) = callbacks.onGroupApplicationAccepted(application)
    override fun onGroupApplicationRejected(application: GroupApplication) = callbacks.onGroupApplicationRejected(application)
    override fun onGroupInfoChanged(group: GroupInfo) = callbacks.onGroupInfoChanged(group)
    override fun onGroupDismissed(group: GroupInfo) = callbacks.onGroupDismissed(group)
    override fun onGroupMemberInfoChanged(member: GroupMember) = callbacks.onGroupMemberInfoChanged(member)
}

/** Group events as a cold [Flow], one listener per collection (see [messageEvents]). */
fun OpenImClient.groupEvents(): Flow<GroupEvent> = callbackFlow {
    val handle = addGroupListener(GroupCallbacks { trySendBlocking(it) })
    awaitClose { handle.cancel() }
}.buffer(EVENT_BUFFER)
