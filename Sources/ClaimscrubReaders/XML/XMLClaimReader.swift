public import ClaimscrubCore

/// Reads X12 837 claims from the XML that pyx12's `x12xml` writes (inputs.md,
/// "XML: X12 837 rendered as XML"), streaming with libxml2's text reader.
///
/// Fields are found by the `id` attributes of `loop`, `seg`, `ele`, `comp` and
/// `subele` elements, with the same paths as raw X12. A DTD, an entity other
/// than the predefined ones, nesting deeper than 64 or a text node over 1 MiB,
/// and XML that stops being well-formed end the file with one `xml` reject;
/// claims completed before it are still read.
public struct XMLClaimReader: ClaimReader, BuildingClaimReader {
    /// A class holds the libxml2 handle: `ClaimReader` conformers are copyable and
    /// the `~Copyable` `XMLTextReader` cannot be stored in one directly. Copies of
    /// this struct share one position in the file.
    private let stream: XMLClaimStream
    var built = BuiltItems()

    /// Opens `path` (gunzipping `.gz`); `displayPath` starts every `source`.
    /// Throws when the file cannot be opened.
    public init(path: String, displayPath: String) throws(InputError) {
        try self.init(source: ByteSource(path: path), displayPath: displayPath)
    }

    /// Reads from `source`, which may have been peeked at (`ByteSource.peek`).
    public init(source: ByteSource, displayPath: String) throws(InputError) {
        stream = try XMLClaimStream(source: source, displayPath: displayPath)
    }

    /// With claims mapped as they are read rather than recorded (`recordsClaims: false`).
    init(path: String, displayPath: String, recordsClaims: Bool) throws(InputError) {
        try self.init(path: path, displayPath: displayPath)
        stream.recordsClaims = recordsClaims
    }

    public mutating func next() throws(InputError) -> ReadItem? {
        try nextBuilt()
    }

    /// libxml2's parse makes the reading thread the run's bottleneck.
    public var readingLeavesTimeToSpare: Bool { false }

    /// A claim comes as its recording (`XMLClaimRecording`).
    public mutating func nextDeferred() throws(InputError) -> DeferredRead? {
        try stream.next()
    }
}
