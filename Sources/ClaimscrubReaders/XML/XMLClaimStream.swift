import CClaimscrubXML
import ClaimscrubCore

/// Walks pyx12's XML node by node and assembles claims as their loops close.
///
/// A final class because it owns the `~Copyable` libxml2 reader on behalf of the
/// copyable `XMLClaimReader`; it is used by one thread at a time. Only the
/// current segment, claim and line are held, so memory does not grow with the file.
final class XMLClaimStream: XMLClaimSink {
    /// quality.md: nesting deeper than 64 and text nodes over 1 MiB are rejects.
    static let maximumDepth = 64
    static let maximumTextBytes = 1 << 20

    private enum ElementKind {
        case loop, segment, element, composite, subelement, other
    }

    /// The open `ele` or `subele` whose text is being collected: its text is the
    /// segment buffer's bytes from `start` on.
    private struct OpenField {
        var element: Int
        var component: Int
        var start: Int
    }

    private var reader: XMLTextReader
    let displayPath: String

    /// The open elements' kinds; a loop's id is the last of `loops` when it closes.
    private var frames: [ElementKind] = []
    private var loops: [XMLNames.Name] = []
    private var names = XMLNames()
    /// The `seg` being read, when `inSegment`.
    private var segment = XMLSegmentBuffer()
    private var segmentName = XMLNames.Name.none
    private var inSegment = false
    private var field: OpenField?
    private var pending: [DeferredRead] = []
    /// The claim being recorded for a deciding thread (see `XMLClaimRecording`), and the
    /// depth of `loops` at which its 2300 loop opened.
    private var recording: XMLClaimRecording?
    private var recordingDepth = 0
    /// After a recording had to be mapped on the spot: no new one starts until the claim
    /// loop at this depth has closed.
    private var mappingInPlaceDepth: Int?
    private var pendingIndex = 0
    private var finished = false

    var mapping = XMLClaimMapping()
    /// Claims are recorded for the deciding threads; off, every claim is mapped as it is
    /// read (the tests compare the two).
    var recordsClaims = true

    init(source: ByteSource, displayPath: String) throws(InputError) {
        reader = try XMLTextReader(source: source, url: displayPath)
        self.displayPath = displayPath
    }

    /// The next item, with claims possibly still to be mapped (`XMLClaimRecording.build`).
    func next() throws(InputError) -> DeferredRead? {
        while true {
            if pendingIndex < pending.count {
                let item = pending[pendingIndex]
                pendingIndex += 1
                if pendingIndex == pending.count {
                    pending.removeAll(keepingCapacity: true)
                    pendingIndex = 0
                }
                return item
            }
            if finished { return nil }
            try step()
        }
    }

    func emit(_ item: ReadItem) {
        pending.append(.item(item))
    }

    // MARK: - Claims recorded for the deciding threads

    private func loopStarted(_ id: String, line: Int) {
        if recording != nil {
            // Asked through a mutating call: reading `isFull` of the optional copied the recording.
            if !XMLClaimMapping.changesContext(loop: id),
               recording!.record(id == "2400" ? .loopStarted(id, line: line) : nil) {
                return
            }
            mapInPlace()
        }
        if recordsClaims, id == "2300", mappingInPlaceDepth == nil, !mapping.isSkippingTransaction {
            recording = XMLClaimRecording(start: mapping, line: line, displayPath: displayPath)
            recordingDepth = loops.count
            return
        }
        mapping.loopStarted(id, line: line, in: self)
    }

    /// After `loops` has lost the loop that ended.
    private func loopEnded(_ id: String) {
        if recording != nil {
            if loops.count < recordingDepth {
                recording!.add(.loopEnded(id))
                pending.append(.xmlClaim(recording!))
                recording = nil
            } else if id == "2400" {
                recording!.add(.loopEnded(id))
            }
            return
        }
        if let depth = mappingInPlaceDepth, loops.count < depth { mappingInPlaceDepth = nil }
        mapping.loopEnded(id, in: self)
    }

    private func segmentEnded(loop: XMLNames.Name) {
        if recording != nil {
            let asked = names.classify(segment: segmentName, loop: loop)
            if !asked.changesContext,
               recording!.record(asked.readsInClaim ? segment : nil, loop: loop.text) {
                return
            }
            mapInPlace()
        }
        mapping.segmentEnded(segment.segment, loop: loop.text, in: self)
    }

    /// Maps the claim being recorded here and now, and the rest of it as it comes: for a
    /// claim that changes the context or grows past the recording's bound.
    private func mapInPlace() {
        guard let recorded = recording else { return }
        recording = nil
        mappingInPlaceDepth = recordingDepth
        recorded.replay(into: &mapping, sink: self)
    }

    /// The node `step` moved to; reused, as every node of the file passes through it.
    private var node = CClaimscrubXMLNode()

    private func step() throws(InputError) {
        switch reader.step(wantText: field != nil, maximumText: XMLClaimStream.maximumTextBytes, into: &node) {
        case .end:
            finished = true
        case .failed:
            if let error = reader.inputError {
                finished = true
                throw error
            }
            if let line = reader.refusedDocumentTypeLine {
                stop(at: line, message: XMLClaimStream.documentTypeMessage)
            } else {
                let error = reader.error
                stop(
                    at: error?.line ?? 0,
                    message: "the XML stops being well-formed: the claim in progress and the rest of the file are not read",
                    detail: error?.message ?? ""
                )
            }
        case .node:
            handleNode()
        }
    }

    static let documentTypeMessage = "document type declarations are not accepted"

    private func handleNode() {
        switch Int(node.type) {
        case CClaimscrubXML_element:
            guard Int(node.depth) < XMLClaimStream.maximumDepth else {
                stop(at: reader.nodeLine, message: "XML nested deeper than \(XMLClaimStream.maximumDepth) elements")
                return
            }
            startElement()
        case CClaimscrubXML_text, CClaimscrubXML_cdata, CClaimscrubXML_significantWhitespace:
            collectText()
        case CClaimscrubXML_endElement:
            endElement()
        case CClaimscrubXML_documentType:
            stop(at: node.line, message: XMLClaimStream.documentTypeMessage)
        case CClaimscrubXML_entityReference:
            stop(at: node.line, message: "entity references other than the predefined ones are not accepted")
        default:
            // Comments, processing instructions and blank text between elements.
            break
        }
    }

    private func startElement() {
        let kind: ElementKind
        switch Int(node.nameKind) {
        case CClaimscrubXML_nameLoop: kind = .loop
        case CClaimscrubXML_nameSegment: kind = .segment
        case CClaimscrubXML_nameElement: kind = .element
        case CClaimscrubXML_nameComposite: kind = .composite
        case CClaimscrubXML_nameSubelement: kind = .subelement
        default: kind = .other
        }
        // Only loop and segment ids are read as text; an `ele` or `subele` id is only a
        // position, read from the C string.
        let name = kind == .loop || kind == .segment ? node.id.map { names.name($0) } ?? .none : .none
        let id = name.text
        let line = node.line
        switch kind {
        case .loop:
            loops.append(name)
            loopStarted(id, line: line)
        case .segment:
            segment.start(id: id, line: line)
            segmentName = name
            inSegment = true
            field = nil
        case .element, .subelement:
            if inSegment, let cID = node.id,
               let position = XMLSegment.position(ofCString: cID, isComponent: kind == .subelement) {
                field = OpenField(element: position.element, component: position.component, start: segment.bytes.count)
            } else {
                field = nil
            }
        case .composite, .other:
            break
        }
        if node.isEmptyElement != 0 {
            close(kind)
        } else {
            frames.append(kind)
        }
    }

    private func endElement() {
        guard let kind = frames.popLast() else { return }
        close(kind)
    }

    private func close(_ kind: ElementKind) {
        switch kind {
        case .loop:
            // Every loop element pushed its name; the inner ones have closed since.
            guard let loop = loops.popLast() else { return }
            loopEnded(loop.text)
        case .segment:
            if inSegment {
                segmentEnded(loop: loops.last ?? .none)
            }
            inSegment = false
        case .element, .subelement:
            if let field, inSegment {
                segment.endValue(element: field.element, component: field.component, start: field.start)
            }
            field = nil
        case .composite, .other:
            break
        }
    }

    private func collectText() {
        guard let field else {
            // Blank text between elements: measured, never copied.
            if (reader.valueBytes?.count ?? 0) > XMLClaimStream.maximumTextBytes {
                stop(at: reader.nodeLine, message: "XML text over 1 MiB")
            }
            return
        }
        guard let text = reader.valueBytes else { return }
        let size = text.count + segment.textCount(from: field.start)
        guard size <= XMLClaimStream.maximumTextBytes else {
            stop(at: reader.nodeLine, message: "XML text over 1 MiB")
            return
        }
        segment.appendText(text)
    }

    /// Ends the file: the claim in progress is dropped and one `xml` reject stands
    /// for it and everything after it.
    private func stop(at line: Int, message: String, detail: String = "") {
        finished = true
        mapping.abandonClaim()
        recording = nil
        emit(.reject(Reject(source: "\(displayPath):\(max(line, 1))", kind: .xml, message: message, detail: detail)))
    }
}
