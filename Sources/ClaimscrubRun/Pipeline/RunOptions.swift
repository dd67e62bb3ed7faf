public import ClaimscrubCore
public import ClaimscrubReaders

/// What `claimscrub run` was asked to do.
public struct RunOptions: Sendable {
    /// Files or folders, as given on the command line.
    public var inputs: [String]
    public var format: InputFormat?
    public var asOf: CalendarDate
    public var jobs: Int
    public var reportFormat: ReportFormat
    public var csvMapping: CSVColumnMapping
    public var overwrite: Bool
    public var fsync: Bool
    public var outDirectory: String
    /// Whether to write summary.html (`--no-html` turns it off).
    public var writeHTML: Bool
    /// The command line after `claimscrub`, for the manifest.
    public var arguments: [String]
    /// Draw the progress line on stderr (`--progress`, resolved against the terminal).
    public var showProgress: Bool = false

    public init(
        inputs: [String], format: InputFormat?, asOf: CalendarDate, jobs: Int, reportFormat: ReportFormat,
        csvMapping: CSVColumnMapping, overwrite: Bool, fsync: Bool, outDirectory: String, arguments: [String],
        writeHTML: Bool = true
    ) {
        self.inputs = inputs
        self.format = format
        self.asOf = asOf
        self.jobs = jobs
        self.reportFormat = reportFormat
        self.csvMapping = csvMapping
        self.overwrite = overwrite
        self.fsync = fsync
        self.outDirectory = outDirectory
        self.arguments = arguments
        self.writeHTML = writeHTML
    }
}

/// Exit statuses (outputs.md), following sysexits.
public enum ExitStatus {
    public static let success: Int32 = 0
    public static let verifyFailed: Int32 = 1
    public static let usage: Int32 = 64
    public static let dataError: Int32 = 65
    public static let noInput: Int32 = 66
    public static let software: Int32 = 70
    public static let cannotCreate: Int32 = 73
    public static let ioError: Int32 = 74
    public static let config: Int32 = 78
}

/// How a run ended: its exit status and the closing paragraph for stderr.
public struct RunOutcome: Sendable {
    public var status: Int32
    public var message: String
    public var claims: Int
    public var lines: Int
    public var rejects: Int
}
