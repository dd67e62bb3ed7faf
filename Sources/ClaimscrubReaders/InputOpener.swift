
/// Opens one input file with the reader for its format.
public enum InputOpener {
    /// The reader for `path`, detecting the format from its first bytes unless `format`
    /// forces one; `displayPath` is what `source` columns show; `observer` sees each byte
    /// of the file once as it is read.
    public static func open(
        path: String, displayPath: String, format: InputFormat?, csvMapping: CSVColumnMapping,
        observer: (any ByteObserver)? = nil
    ) throws(InputError) -> any ClaimReader {
        let source = try ByteSource(path: path, observer: observer)
        // Detected from the first 4 KiB (decompressed for `.gz`), which the reader then reads
        // again from the same source: a pipe cannot be opened twice.
        let chosen: InputFormat
        if let format { chosen = format } else { chosen = InputFormat.detect(prefix: try source.peek(upTo: 4096)) }
        switch chosen {
        case .csv:
            return CSVClaimReader(source: source, displayPath: displayPath, mapping: csvMapping)
        case .x12:
            return X12Reader(source: source, displayPath: displayPath)
        case .xml:
            return try XMLClaimReader(source: source, displayPath: displayPath)
        }
    }
}
