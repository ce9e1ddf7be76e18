import CRMQLCore

/// `[0, 1, …, n-1]`, the selection of every row. It depends only on `n`, so
/// one copy is shared: a point lookup on a million rows must not first
/// build a million-element array.
enum AllRows {
    private static let cache = Locked<[Int: [Int32]]>([:])

    static func of(count: Int) -> [Int32] {
        let count = max(0, min(count, Int(Int32.max)))
        if let rows = cache.withLock({ $0[count] }) { return rows }
        let rows = Array(0..<Int32(count))
        cache.withLock { cache in
            // TUNING: a few entity sizes are live at once; keep the latest.
            if cache.count >= 16 { cache.removeAll() }
            cache[count] = rows
        }
        return rows
    }
}
