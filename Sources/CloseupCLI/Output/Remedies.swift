// What the user should do about an error, in the CLI's own words: the service
// layer says what happened and which remedy applies; only here are flags,
// variables and commands named.
import CloseupKit

extension CloseupError {
    /// The one line the user reads: what happened, then what to do.
    var line: String {
        guard let remedy else { return message }
        return "\(message); \(Remedies.advice(remedy))"
    }
}

extension Terminal {
    /// Reports `error` in the user's words (see `report(_:line:)`).
    func report(_ error: CloseupError) { report(error, line: error.line) }
}

enum Remedies {
    static func advice(_ remedy: CloseupError.Remedy) -> String {
        switch remedy {
        case .checkCredentials: "check --username and the password (REDIS_PASSWORD, --password-file, --askpass, or in --url/REDIS_URL)"
        case .grantPermission: "the ACL user (--username) lacks a permission closeup needs; see Least privilege in closeup(1)"
        case .raiseTimeout: "raise --timeout or check the server"
        case .fallbackDisabled: "--store redis allows no SQLite fallback"
        case .checkSQLitePath: "check --sqlite or CLOSEUP_SQLITE_PATH"
        case .ownSQLiteDatabase: "give closeup a database of its own (--sqlite or CLOSEUP_SQLITE_PATH)"
        case .checkEnvFile: "check --env-file"
        case .checkRedisHost: "check --host, --url, REDIS_HOST or REDIS_URL"
        case .checkCACertificate: "check --cacert"
        case .giveClientCertificate: "does the server require a client certificate (--cert, --key)?"
        case .checkServerName: "check --cacert and --sni, or use --insecure to skip verification"
        case .pairCertificateAndKey: "give --cert and --key together"
        case .configureSMSCommand: "set CLOSEUP_SMS_COMMAND to the command that sends the message, or use --via stdout"
        case .forceReplace: "use --force to replace it"
        case .clearAttempts(let user): "run 'closeup attempts clear \(user)' to unblock"
        case .dropAnyKey: "drop --any-key"
        case .resetSendLimit: "to allow sends now, run 'closeup ratelimit reset otp_request NUMBER' with the number as given to --mobile"
        }
    }
}
