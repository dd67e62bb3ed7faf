import Foundation
#if canImport(Glibc)
@preconcurrency import Glibc
#endif

/// The scratch folder of one `diff`: sorted runs live here and nowhere else, and the whole
/// folder is removed when the diff ends, fails or is interrupted.
///
/// Made next to the output folder, on the disk that will hold the changes anyway (the
/// system temporary folder may be a RAM disk); the system one only when that fails.
struct SortFolder {
    let path: String

    init(near outFolder: String) throws(AuditError) {
        let parent = URL(fileURLWithPath: outFolder).standardizedFileURL.deletingLastPathComponent().path
        for base in [parent, NSTemporaryDirectory()] {
            var template = Array((base.hasSuffix("/") ? base : base + "/").utf8CString.dropLast()) + Array(".claimscrub-diff-XXXXXX".utf8CString)
            if let made = template.withUnsafeMutableBufferPointer({ mkdtemp($0.baseAddress!) }) {
                path = String(cString: made)
                SignalCleanup.shared.track(path)
                return
            }
        }
        throw AuditError(status: 74, "\(parent): error: cannot create a temporary folder for sorting")
    }

    func remove() {
        SignalCleanup.shared.track(nil)
        try? FileManager.default.removeItem(atPath: path)
    }
}
