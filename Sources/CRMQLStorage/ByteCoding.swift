/// Little-endian binary encoding for snapshots. Arrays of numbers are
/// copied in bulk rather than value by value.
struct ByteWriter {
    var bytes: [UInt8] = []

    mutating func append(_ value: UInt8) { bytes.append(value) }

    mutating func append<T: FixedWidthInteger>(_ value: T) {
        withUnsafeBytes(of: value.littleEndian) { bytes.append(contentsOf: $0) }
    }

    mutating func append(_ text: String) {
        append(UInt64(text.utf8.count))
        bytes.append(contentsOf: text.utf8)
    }

    mutating func append(bytes other: [UInt8]) {
        append(UInt64(other.count))
        bytes.append(contentsOf: other)
    }

    /// A count, then the elements' little-endian bytes.
    mutating func append<T: FixedWidthInteger>(array: [T]) {
        append(UInt64(array.count))
        #if _endian(big)
        for value in array { append(value) }
        #else
        array.withUnsafeBytes { bytes.append(contentsOf: $0) }
        #endif
    }

    mutating func append(doubles: [Double]) {
        append(UInt64(doubles.count))
        #if _endian(big)
        for value in doubles { append(value.bitPattern) }
        #else
        doubles.withUnsafeBytes { bytes.append(contentsOf: $0) }
        #endif
    }
}

/// Why a snapshot could not be decoded; `Snapshot` words it for the user.
struct DecodeError: Error {
    var message: String
    init(_ message: String) { self.message = message }
}

/// Bounds-checked reading: every length is checked against the bytes left
/// before anything is allocated, so a damaged file cannot trap or exhaust memory.
struct ByteReader {
    let bytes: [UInt8]
    var offset: Int
    let end: Int

    init(_ bytes: [UInt8], range: Range<Int>) {
        self.bytes = bytes
        self.offset = range.lowerBound
        self.end = range.upperBound
    }

    var remaining: Int { end - offset }

    mutating func read<T: FixedWidthInteger>(_: T.Type = T.self) throws -> T {
        let size = MemoryLayout<T>.size
        guard remaining >= size else { throw DecodeError("unexpected end of section") }
        var value: T = 0
        withUnsafeMutableBytes(of: &value) { target in
            bytes.withUnsafeBytes { source in
                target.copyMemory(from: UnsafeRawBufferPointer(rebasing: source[offset..<(offset + size)]))
            }
        }
        offset += size
        return T(littleEndian: value)
    }

    /// A count that must fit in what is left, `elementSize` bytes each.
    mutating func readCount(elementSize: Int) throws -> Int {
        let raw: UInt64 = try read()
        guard raw <= UInt64(Int.max), Int(raw) <= remaining / max(1, elementSize) else {
            throw DecodeError("a length runs past the end of its section")
        }
        return Int(raw)
    }

    mutating func readBytes() throws -> [UInt8] {
        let count = try readCount(elementSize: 1)
        defer { offset += count }
        return Array(bytes[offset..<(offset + count)])
    }

    mutating func readString() throws -> String {
        let count = try readCount(elementSize: 1)
        defer { offset += count }
        return String(decoding: bytes[offset..<(offset + count)], as: UTF8.self)
    }

    mutating func readArray<T: FixedWidthInteger>(_: T.Type) throws -> [T] {
        let size = MemoryLayout<T>.size
        let count = try readCount(elementSize: size)
        let start = offset
        offset += count * size
        #if _endian(big)
        var reader = ByteReader(bytes, range: start..<offset)
        return try (0..<count).map { _ in try reader.read(T.self) }
        #else
        return [T](unsafeUninitializedCapacity: count) { buffer, initialized in
            bytes.withUnsafeBytes { source in
                UnsafeMutableRawBufferPointer(buffer).copyMemory(from: UnsafeRawBufferPointer(rebasing: source[start..<(start + count * size)]))
            }
            initialized = count
        }
        #endif
    }

    mutating func readDoubles() throws -> [Double] {
        try readArray(UInt64.self).map { Double(bitPattern: $0) }
    }
}
