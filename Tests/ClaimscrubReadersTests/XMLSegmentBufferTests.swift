@testable import ClaimscrubReaders
import Testing

/// The reading thread's segment buffer: values past the 256th let their text go, values
/// read back trimmed, and a hostile segment's text room is not kept for the next one.
struct XMLSegmentBufferTests {
    private func append(_ text: String, to buffer: inout XMLSegmentBuffer) {
        var bytes = Array(text.utf8)
        bytes.withUnsafeMutableBufferPointer { buffer.appendText(UnsafeBufferPointer($0)) }
    }

    @Test func valuesReadBackTrimmedAndPast256TheirTextIsLetGo() {
        var buffer = XMLSegmentBuffer()
        buffer.start(id: "HI", line: 7)
        for index in 1...256 {
            let start = buffer.bytes.count
            append(" A\(index)\n", to: &buffer)
            buffer.endValue(element: index, component: 0, start: start)
        }
        let kept = buffer.bytes.count
        let start = buffer.bytes.count
        append("dropped", to: &buffer)
        buffer.endValue(element: 257, component: 0, start: start)
        #expect(buffer.bytes.count == kept)
        #expect(buffer.values.count == XMLSegment.maximumValues)
        let segment = buffer.segment
        #expect(segment.id == "HI" && segment.line == 7)
        #expect(segment.element(1) == "A1")
        #expect(segment.element(256) == "A256")
        #expect(segment.element(257) == nil)
    }

    @Test func aLargeSegmentsRoomIsNotKept() {
        var buffer = XMLSegmentBuffer()
        buffer.start(id: "NTE", line: 1)
        append(String(repeating: "x", count: XMLSegmentBuffer.keptBytes * 2), to: &buffer)
        buffer.endValue(element: 2, component: 0, start: 0)
        buffer.start(id: "LX", line: 2)
        #expect(buffer.bytes.isEmpty)
        #expect(buffer.bytes.capacity <= XMLSegmentBuffer.keptBytes)
        // An ordinary segment's room is kept from one segment to the next.
        append(String(repeating: "y", count: 512), to: &buffer)
        let room = buffer.bytes.capacity
        buffer.start(id: "SV1", line: 3)
        #expect(buffer.bytes.capacity == room)
    }
}
