/// The `id`s of pyx12's loops and segments, made into Strings once per distinct id rather
/// than once per element, and what the stream asks of a segment in its loop (whether it
/// changes the claim-to-claim context, whether a claim reads it) answered once per pair.
///
/// A file uses a few dozen ids, each a few bytes, and the same handful of segment and
/// loop pairs: the tables are small and direct-mapped, a slot taken over by a newer id
/// when two collide. Ids longer than eight bytes are not kept and take the long way.
struct XMLNames {
    /// An id: its text and its bytes packed into an integer (nil when longer than eight).
    struct Name {
        var text: String
        var key: UInt64?

        /// No id: the empty text, as an element without an `id` attribute has.
        static let none = Name(text: "", key: 0)
    }

    private struct NameSlot {
        var key: UInt64
        var text: String
    }

    private struct PairSlot {
        var segment: UInt64
        var loop: UInt64
        var changesContext: Bool
        var readsInClaim: Bool
    }

    private static let slots = 64
    private var names = [NameSlot?](repeating: nil, count: XMLNames.slots)
    private var pairs = [PairSlot?](repeating: nil, count: XMLNames.slots)

    /// The id `cString` names.
    mutating func name(_ cString: UnsafePointer<CChar>) -> Name {
        guard let key = XMLNames.packed(cString) else { return Name(text: String(cString: cString), key: nil) }
        let slot = XMLNames.slot(key)
        if let known = names[slot], known.key == key { return Name(text: known.text, key: key) }
        let text = String(cString: cString)
        names[slot] = NameSlot(key: key, text: text)
        return Name(text: text, key: key)
    }

    /// `XMLClaimMapping.changesContext(segment:loop:)` and `readsInClaim(segment:loop:)`.
    mutating func classify(segment: Name, loop: Name) -> (changesContext: Bool, readsInClaim: Bool) {
        guard let segmentKey = segment.key, let loopKey = loop.key else {
            return XMLNames.classified(segment: segment.text, loop: loop.text)
        }
        let slot = XMLNames.slot(segmentKey ^ (loopKey &* 0x0100_0000_01B3))
        if let known = pairs[slot], known.segment == segmentKey, known.loop == loopKey {
            return (known.changesContext, known.readsInClaim)
        }
        let answer = XMLNames.classified(segment: segment.text, loop: loop.text)
        pairs[slot] = PairSlot(
            segment: segmentKey, loop: loopKey, changesContext: answer.changesContext, readsInClaim: answer.readsInClaim
        )
        return answer
    }

    private static func classified(segment: String, loop: String) -> (changesContext: Bool, readsInClaim: Bool) {
        (XMLClaimMapping.changesContext(segment: segment, loop: loop),
         XMLClaimMapping.readsInClaim(segment: segment, loop: loop))
    }

    /// Up to eight bytes, the first in the lowest byte; the empty id packs to 0.
    private static func packed(_ cString: UnsafePointer<CChar>) -> UInt64? {
        var key: UInt64 = 0
        for index in 0..<8 {
            let byte = UInt8(bitPattern: cString[index])
            if byte == 0 { return key }
            key |= UInt64(byte) << (8 * UInt64(index))
        }
        return cString[8] == 0 ? key : nil
    }

    private static func slot(_ key: UInt64) -> Int {
        Int(truncatingIfNeeded: (key &* 0x9E37_79B9_7F4A_7C15) >> 58)
    }
}
