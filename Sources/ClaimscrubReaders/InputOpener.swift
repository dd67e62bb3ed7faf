
/// Opens one input file with the reader for its format.
public enum InputOpener {
    /// The reader for `path`, detecting the format from its first bytes unless `format`
    /// forces one; `displayPath` is what `source` columns show.
    public static func open(
        path: String, displayPath: String, format: InputFormat?, csvMapping: CSVColumnMapping
    ) throws(InputError) -> any ClaimReader {
        var chosen: InputFormat
        if let format { chosen = format } else { chosen = try detect(path: path) }
        switch chosen {
        case .csv:
            return CSVClaimReader(source: try ByteSource(path: path), displayPath: displayPath, mapping: csvMapping)
        case .x12:
            return X12Reader(source: try ByteSource(path: path), displayPath: displayPath)
        case .xml:
            return try XMLClaimReader(path: path, displayPath: displayPath)
        }
    }

    /// The format of `path` from its first 4 KiB (decompressed for `.gz`).
    public static func detect(path: String) throws(InputError) -> InputFormat {
        let source = try ByteSource(path: path)
        var prefix = [UInt8](repeating: 0, count: 4096)
        var filled = 0
        while filled < prefix.count {
            let offset = filled
            var failure: InputError?
            let got = prefix.withUnsafeMutableBytes { raw -> Int in
                do {
                    return try source.read(into: raw.baseAddress! + offset, count: raw.count - offset)
                } catch {
                    failure = error as? InputError
                    return 0
                }
            }
            if let failure { throw failure }
            if got == 0 { break }
            filled += got
        }
        return InputFormat.detect(prefix: prefix[0..<filled])
    }
}
