import CRMQLCore
import CRMQLStorage
import CRMQLSyntax

/// Settings a host fixes when it opens a session.
public struct SessionOptions: Sendable {
    /// The session's `today`; nil means the system date.
    public var today: Int64?
    /// When true, no statement may read or write files.
    public var safe: Bool
    public var fiscalYearStart: Int
    public init(today: Int64? = nil, safe: Bool = false, fiscalYearStart: Int = 1) {
        self.today = today
        self.safe = safe
        self.fiscalYearStart = fiscalYearStart
    }
}

/// What one executed statement produced.
public enum EngineOutput: Sendable {
    case rows(names: [String], columns: [Column])
    case message(String)
}
