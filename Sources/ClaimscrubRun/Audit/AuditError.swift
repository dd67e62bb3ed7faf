/// Why `verify` or `diff` stopped: a refusal (not a finished run, a changed input) or an
/// unreadable or unwritable file, with the exit status it maps to.
public struct AuditError: Error, Sendable, CustomStringConvertible {
    public var status: Int32
    public var message: String

    public init(status: Int32, _ message: String) {
        self.status = status
        self.message = message
    }

    public var description: String { message }
}
