//! Error codes: the server's (openimsdk/tools `errs`, open-im-server `servererrs`) and the
//! client SDK's own (openim-sdk-core `sdkerrs`).

// --- server, general ---
pub const SERVER_INTERNAL: i32 = 500;
pub const ARGS: i32 = 1001;
pub const NO_PERMISSION: i32 = 1002;
pub const DUPLICATE_KEY: i32 = 1003;
pub const RECORD_NOT_FOUND: i32 = 1004;
// --- account ---
pub const USER_ID_NOT_FOUND: i32 = 1101;
pub const REGISTERED_ALREADY: i32 = 1102;
// --- group ---
pub const GROUP_ID_NOT_FOUND: i32 = 1201;
pub const GROUP_ID_EXISTED: i32 = 1202;
pub const NOT_IN_GROUP_YET: i32 = 1203;
pub const DISMISSED_ALREADY: i32 = 1204;
pub const GROUP_TYPE_NOT_SUPPORT: i32 = 1205;
pub const GROUP_REQUEST_HANDLED: i32 = 1206;
// --- relation ---
pub const CAN_NOT_ADD_YOURSELF: i32 = 1301;
pub const BLOCKED_BY_PEER: i32 = 1302;
pub const NOT_PEERS_FRIEND: i32 = 1303;
pub const RELATIONSHIP_ALREADY: i32 = 1304;
pub const FRIEND_REQUEST_HANDLED: i32 = 1305;
// --- message ---
pub const MESSAGE_HAS_READ_DISABLE: i32 = 1401;
pub const MUTED_IN_GROUP: i32 = 1402;
pub const MUTED_GROUP: i32 = 1403;
pub const MSG_ALREADY_REVOKE: i32 = 1404;
// --- token ---
pub const TOKEN_EXPIRED: i32 = 1501;
pub const TOKEN_INVALID: i32 = 1502;
pub const TOKEN_MALFORMED: i32 = 1503;
pub const TOKEN_NOT_VALID_YET: i32 = 1504;
pub const TOKEN_UNKNOWN: i32 = 1505;
pub const TOKEN_KICKED: i32 = 1506;
pub const TOKEN_NOT_EXIST: i32 = 1507;
// --- gateway ---
pub const CONN_OVER_MAX_NUM_LIMIT: i32 = 1601;
pub const CONN_ARGS_ERR: i32 = 1602;
pub const PUSH_MSG_ERR: i32 = 1603;
pub const IOS_BACKGROUND_PUSH_ERR: i32 = 1604;
// --- s3 ---
pub const FILE_UPLOADED_EXPIRED: i32 = 1701;

// --- SDK, common ---
pub const SDK_NETWORK: i32 = 10000;
pub const SDK_NETWORK_TIMEOUT: i32 = 10001;
pub const SDK_ARGS: i32 = 10002;
pub const SDK_CTX_DEADLINE: i32 = 10003;
pub const SDK_UNKNOWN: i32 = 10005;
pub const SDK_INTERNAL: i32 = 10006;
pub const SDK_NO_UPDATE: i32 = 10007;
pub const SDK_NOT_INIT: i32 = 10008;
pub const SDK_NOT_LOGIN: i32 = 10009;
// --- SDK, login ---
pub const SDK_USER_NOT_FOUND: i32 = 10100;
pub const SDK_LOGIN_OUT: i32 = 10101;
pub const SDK_LOGIN_REPEAT: i32 = 10102;
// --- SDK, message ---
pub const SDK_FILE_NOT_FOUND: i32 = 10200;
pub const SDK_MSG_DECOMPRESSION: i32 = 10201;
pub const SDK_MSG_DECODE_BINARY_WS: i32 = 10202;
pub const SDK_MSG_BINARY_TYPE_NOT_SUPPORT: i32 = 10203;
pub const SDK_MSG_REPEAT: i32 = 10204;
pub const SDK_MSG_CONTENT_TYPE_NOT_SUPPORT: i32 = 10205;
pub const SDK_MSG_HAS_NO_SEQ: i32 = 10206;
pub const SDK_MSG_HAS_DELETED: i32 = 10207;
// --- SDK, conversation / group ---
pub const SDK_NOT_SUPPORT_OPT: i32 = 10301;
pub const SDK_NOT_SUPPORT_TYPE: i32 = 10302;
pub const SDK_UNREAD_COUNT: i32 = 10303;
pub const SDK_GROUP_ID_NOT_FOUND: i32 = 10400;
pub const SDK_GROUP_TYPE: i32 = 10401;

/// Whether `code` is one of the token errors 1501–1507, after which a client must not reconnect.
pub fn is_token_error(code: i32) -> bool {
    (TOKEN_EXPIRED..=TOKEN_NOT_EXIST).contains(&code)
}

/// The `errMsg` the server sends with a code (the name of its `CodeError`).
pub fn server_message(code: i32) -> &'static str {
    match code {
        SERVER_INTERNAL => "ServerInternalError",
        ARGS => "ArgsError",
        NO_PERMISSION => "NoPermissionError",
        DUPLICATE_KEY => "DuplicateKeyError",
        RECORD_NOT_FOUND => "RecordNotFoundError",
        USER_ID_NOT_FOUND => "UserIDNotFoundError",
        REGISTERED_ALREADY => "RegisteredAlreadyError",
        GROUP_ID_NOT_FOUND => "GroupIDNotFoundError",
        GROUP_ID_EXISTED => "GroupIDExisted",
        NOT_IN_GROUP_YET => "NotInGroupYetError",
        DISMISSED_ALREADY => "DismissedAlreadyError",
        GROUP_REQUEST_HANDLED => "GroupRequestHandled",
        CAN_NOT_ADD_YOURSELF => "CanNotAddYourselfError",
        BLOCKED_BY_PEER => "BlockedByPeer",
        NOT_PEERS_FRIEND => "NotPeersFriend",
        RELATIONSHIP_ALREADY => "RelationshipAlreadyError",
        FRIEND_REQUEST_HANDLED => "FriendRequestHandled",
        MESSAGE_HAS_READ_DISABLE => "MessageHasReadDisable",
        MUTED_IN_GROUP => "MutedInGroup",
        MUTED_GROUP => "MutedGroup",
        MSG_ALREADY_REVOKE => "MsgAlreadyRevoke",
        TOKEN_EXPIRED => "TokenExpiredError",
        TOKEN_INVALID => "TokenInvalidError",
        TOKEN_MALFORMED => "TokenMalformedError",
        TOKEN_NOT_VALID_YET => "TokenNotValidYetError",
        TOKEN_UNKNOWN => "TokenUnknownError",
        TOKEN_KICKED => "TokenKickedError",
        TOKEN_NOT_EXIST => "TokenNotExistError",
        CONN_OVER_MAX_NUM_LIMIT => "ConnOverMaxNumLimit",
        CONN_ARGS_ERR => "args err, need token, sendID, platformID",
        PUSH_MSG_ERR => "push msg err",
        IOS_BACKGROUND_PUSH_ERR => "ios background push err",
        FILE_UPLOADED_EXPIRED => "FileUploadedExpiredError",
        _ => "",
    }
}
