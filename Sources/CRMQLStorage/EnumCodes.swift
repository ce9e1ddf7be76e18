/// The symbol codes of an enum column, one per row.
///
/// A column whose codes all fit in a byte keeps one byte per row: every
/// inferred enum does (at most 256 symbols), and so does a declared enum of
/// that size. A scan of a million rows then reads a megabyte instead of four,
/// which is what decides its speed once the column no longer fits in the
/// processor's caches. A column widens to four bytes per row, once, when a
/// code above 255 (or a negative one) arrives.
///
/// Reading a row through the subscript works for either width. Hot loops
/// switch on `storage` once and run a generic body over the array.
public struct EnumCodes: Sendable, Equatable, RandomAccessCollection {
    /// The array that holds the codes.
    public enum Storage: Sendable, Equatable {
        /// Every code is in 0...255.
        case narrow([UInt8])
        /// Some code is not.
        case wide([Int32])
    }

    /// The codes, at their width.
    public private(set) var storage: Storage

    /// The same codes, whatever the width each side keeps them at.
    public static func == (lhs: EnumCodes, rhs: EnumCodes) -> Bool {
        switch (lhs.storage, rhs.storage) {
        case (.narrow(let a), .narrow(let b)): return a == b
        case (.wide(let a), .wide(let b)): return a == b
        default: return lhs.count == rhs.count && lhs.elementsEqual(rhs)
        }
    }

    /// No codes.
    public init() { storage = .narrow([]) }

    /// The codes, in a byte each when they all fit.
    public init(_ codes: [Int32]) {
        storage = codes.allSatisfy(EnumCodes.fitsNarrow) ? .narrow(codes.map { UInt8(truncatingIfNeeded: $0) }) : .wide(codes)
    }

    /// Codes already a byte each.
    public init(narrow codes: [UInt8]) { storage = .narrow(codes) }

    /// `count` copies of one code.
    public init(repeating code: Int32, count: Int) {
        storage = EnumCodes.fitsNarrow(code)
            ? .narrow([UInt8](repeating: UInt8(truncatingIfNeeded: code), count: count))
            : .wide([Int32](repeating: code, count: count))
    }

    @inline(__always)
    static func fitsNarrow(_ code: Int32) -> Bool { UInt32(bitPattern: code) <= UInt32(UInt8.max) }

    public var startIndex: Int { 0 }
    public var endIndex: Int {
        switch storage {
        case .narrow(let a): return a.count
        case .wide(let a): return a.count
        }
    }

    /// The code of one row.
    @inlinable @inline(__always)
    public subscript(row: Int) -> Int32 {
        switch storage {
        case .narrow(let a): return Int32(a[row])
        case .wide(let a): return a[row]
        }
    }

    /// Whether a row takes one byte.
    public var isNarrow: Bool {
        if case .narrow = storage { return true }
        return false
    }

    /// Every code at four bytes, for the edges that want one width.
    public var wide: [Int32] {
        switch storage {
        case .narrow(let a): return a.map { Int32($0) }
        case .wide(let a): return a
        }
    }

    /// Appends one code, widening the column the first time a code does not
    /// fit in a byte.
    /// - Complexity: amortised O(1); O(n) once, when the column widens.
    public mutating func append(_ code: Int32) {
        switch storage {
        case .narrow(var a):
            storage = .narrow([])
            if EnumCodes.fitsNarrow(code) {
                a.append(UInt8(truncatingIfNeeded: code))
                storage = .narrow(a)
            } else {
                var wide = [Int32]()
                wide.reserveCapacity(Swift.max(a.capacity, a.count + 1))
                for value in a { wide.append(Int32(value)) }
                wide.append(code)
                storage = .wide(wide)
            }
        case .wide(var a):
            storage = .wide([])
            a.append(code)
            storage = .wide(a)
        }
    }

    /// Sets one row's code, widening the column the first time a code
    /// does not fit in a byte.
    /// - Complexity: O(1); O(n) once, when the column widens.
    public mutating func set(_ code: Int32, at row: Int) {
        switch storage {
        case .narrow(var a):
            storage = .narrow([])
            if EnumCodes.fitsNarrow(code) {
                a[row] = UInt8(truncatingIfNeeded: code)
                storage = .narrow(a)
            } else {
                var wide = a.map { Int32($0) }
                wide[row] = code
                storage = .wide(wide)
            }
        case .wide(var a):
            storage = .wide([])
            a[row] = code
            storage = .wide(a)
        }
    }

    /// Makes room for `capacity` codes at the current width.
    public mutating func reserveCapacity(_ capacity: Int) {
        switch storage {
        case .narrow(var a): storage = .narrow([]); a.reserveCapacity(capacity); storage = .narrow(a)
        case .wide(var a): storage = .wide([]); a.reserveCapacity(capacity); storage = .wide(a)
        }
    }

    /// These codes followed by `other`'s, narrow when both are.
    public static func + (lhs: EnumCodes, rhs: EnumCodes) -> EnumCodes {
        switch (lhs.storage, rhs.storage) {
        case (.narrow(let a), .narrow(let b)): return EnumCodes(narrow: a + b)
        default:
            var result = EnumCodes()
            result.storage = .wide(lhs.wide + rhs.wide)
            return result
        }
    }

    /// The codes at `positions`, in that order, at this width.
    public func gather(_ positions: [Int32]) -> EnumCodes {
        var result = EnumCodes()
        switch storage {
        case .narrow(let a): result.storage = .narrow(Column.gather(a, positions))
        case .wide(let a): result.storage = .wide(Column.gather(a, positions))
        }
        return result
    }

    /// The same codes in arrays without spare capacity.
    func compacted(_ fit: ([UInt8]) -> [UInt8], _ fitWide: ([Int32]) -> [Int32]) -> EnumCodes {
        var result = EnumCodes()
        switch storage {
        case .narrow(let a): result.storage = .narrow(fit(a))
        case .wide(let a): result.storage = .wide(fitWide(a))
        }
        return result
    }
}
