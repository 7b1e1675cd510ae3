// Mirrors the merge table and `CLIPTokenizer.bpe` of transformers' `models/clip/tokenization_clip.py`
// (4.57.6): ranked merges read from `merges.txt`, applied to one pre-token at a time, with the
// end-of-word mark `</w>` on the last character.

import Synchronization

/// Byte-pair encoding over interned symbols.
///
/// Every string that can occur during encoding — the 256 alphabet characters, their `</w>`
/// twins, both halves of every merge and every merge result — is interned once as an integer
/// symbol, so that encoding compares integers. Merging follows transformers exactly: find the
/// adjacent pair of lowest rank, merge *all* its occurrences left to right, repeat until no
/// adjacent pair has a rank. The implementation keeps the pairs in a heap, so a word of n bytes
/// costs O(n log n) rather than the reference's O(n²); the result is the same.
public struct BytePairEncoder: Sendable {
    /// The most merges transformers reads from `merges.txt` (after its first line): 49152 − 256 − 2.
    public static let maximumMergeCount = 48_894

    /// The end-of-word mark appended to a word's last symbol.
    public static let endOfWord = "</w>"

    /// Symbol strings as UTF-8, indexed by symbol.
    let symbolBytes: [[UInt8]]
    /// Symbol of each byte's alphabet character, and of that character followed by `</w>`.
    private let byteSymbols: [Int32]
    private let finalByteSymbols: [Int32]
    /// Pair (left << 32 | right) → rank << 32 | merged symbol.
    private let merges: [UInt64: UInt64]

    /// The number of ranked merges.
    public var mergeCount: Int { merges.count }

    /// Builds the merge table from the text of a `merges.txt` file.
    ///
    /// As transformers does, the text is trimmed, its first line (the `#version` header) is
    /// skipped, and at most ``maximumMergeCount`` following lines are read; a repeated pair keeps
    /// its later rank. Unlike transformers, which silently keeps malformed lines as pairs that
    /// can never match, a line that is not exactly two symbols is an error.
    public init(mergesText: String, path: String = "merges.txt") throws(TokenizerError) {
        var interner = SymbolInterner()
        byteSymbols = (0..<256).map { interner.intern(ByteLevelEncoding.utf8ForByte[$0]) }
        let mark = Array(Self.endOfWord.utf8)
        finalByteSymbols = (0..<256).map { interner.intern(ByteLevelEncoding.utf8ForByte[$0] + mark) }

        let lines = PythonUnicode.strip(Array(mergesText.unicodeScalars)).split(
            separator: "\n", omittingEmptySubsequences: false)
        var table: [UInt64: UInt64] = [:]
        for (offset, line) in lines.dropFirst().prefix(Self.maximumMergeCount).enumerated() {
            let fields = PythonUnicode.split(Array(line))
            guard fields.count == 2 else {
                throw .invalidMerges(
                    path: path, line: offset + 2,
                    reason: "expected two symbols separated by a space, found \(fields.count)")
            }
            let left = Array(String(String.UnicodeScalarView(fields[0])).utf8)
            let right = Array(String(String.UnicodeScalarView(fields[1])).utf8)
            let leftSymbol = interner.intern(left)
            let rightSymbol = interner.intern(right)
            let merged = interner.intern(left + right)
            table[Self.pairKey(leftSymbol, rightSymbol)] = UInt64(offset) << 32 | UInt64(UInt32(merged))
        }
        merges = table
        symbolBytes = interner.strings
    }

    /// The symbols of one pre-token after all merges. `utf8` is the token's original UTF-8
    /// (not yet mapped through ``ByteLevelEncoding``); it must not be empty.
    func encode(utf8: [UInt8]) -> [Int32] {
        guard let last = utf8.last else { return [] }
        var symbols = utf8.dropLast().map { byteSymbols[Int($0)] }
        symbols.append(finalByteSymbols[Int(last)])
        if symbols.count < 2 { return symbols }
        return mergeAll(symbols)
    }

    /// Applies the merges to a sequence of symbols.
    private func mergeAll(_ initial: [Int32]) -> [Int32] {
        let count = initial.count
        var symbols = initial
        var next = [Int32](unsafeUninitializedCapacity: count) { buffer, initialized in
            for index in 0..<count { buffer[index] = Int32(index + 1) }
            initialized = count
        }
        var previous = [Int32](unsafeUninitializedCapacity: count) { buffer, initialized in
            for index in 0..<count { buffer[index] = Int32(index - 1) }
            initialized = count
        }
        var alive = [Bool](repeating: true, count: count)
        var heap = MinHeap()
        for position in 0..<(count - 1) {
            if let entry = merges[Self.pairKey(symbols[position], symbols[position + 1])] {
                heap.push(entry & 0xFFFF_FFFF_0000_0000 | UInt64(position))
            }
        }
        var batch: [Int] = []
        while let top = heap.pop() {
            // Gather every pending occurrence of this rank: transformers merges them all, left to
            // right, before it looks at any pair the merges create. Positions come out ascending.
            let rank = top >> 32
            batch.removeAll(keepingCapacity: true)
            batch.append(Int(top & 0xFFFF_FFFF))
            while let peek = heap.peek, peek >> 32 == rank {
                batch.append(Int(heap.pop()! & 0xFFFF_FFFF))
            }
            for position in batch {
                guard alive[position] else { continue }
                let right = Int(next[position])
                guard right < count,
                    let entry = merges[Self.pairKey(symbols[position], symbols[right])],
                    entry >> 32 == rank
                else { continue }
                // Merge `right` into `position`.
                symbols[position] = Int32(truncatingIfNeeded: entry & 0xFFFF_FFFF)
                alive[right] = false
                let after = Int(next[right])
                next[position] = Int32(after)
                if after < count { previous[after] = Int32(position) }
                let before = Int(previous[position])
                if before >= 0, let leftEntry = merges[Self.pairKey(symbols[before], symbols[position])] {
                    heap.push(leftEntry & 0xFFFF_FFFF_0000_0000 | UInt64(before))
                }
                if after < count, let rightEntry = merges[Self.pairKey(symbols[position], symbols[after])] {
                    heap.push(rightEntry & 0xFFFF_FFFF_0000_0000 | UInt64(position))
                }
            }
        }
        var result: [Int32] = []
        var position = 0
        while position < count {
            result.append(symbols[position])
            position = Int(next[position])
        }
        return result
    }

    private static func pairKey(_ left: Int32, _ right: Int32) -> UInt64 {
        UInt64(UInt32(bitPattern: left)) << 32 | UInt64(UInt32(bitPattern: right))
    }
}

/// Assigns consecutive integers to distinct byte strings (compared byte for byte, as Python
/// compares strings code point by code point — not by Swift's canonical equivalence).
private struct SymbolInterner {
    var strings: [[UInt8]] = []
    private var index: [[UInt8]: Int32] = [:]

    mutating func intern(_ bytes: [UInt8]) -> Int32 {
        if let symbol = index[bytes] { return symbol }
        let symbol = Int32(strings.count)
        strings.append(bytes)
        index[bytes] = symbol
        return symbol
    }
}

/// A binary min-heap of 64-bit keys.
private struct MinHeap {
    private var items: [UInt64] = []

    var peek: UInt64? { items.first }

    mutating func push(_ item: UInt64) {
        items.append(item)
        var child = items.count - 1
        while child > 0 {
            let parent = (child - 1) / 2
            guard items[child] < items[parent] else { break }
            items.swapAt(child, parent)
            child = parent
        }
    }

    mutating func pop() -> UInt64? {
        guard let top = items.first else { return nil }
        let last = items.removeLast()
        if !items.isEmpty {
            items[0] = last
            var parent = 0
            while true {
                let left = 2 * parent + 1
                let right = left + 1
                var smallest = parent
                if left < items.count, items[left] < items[smallest] { smallest = left }
                if right < items.count, items[right] < items[smallest] { smallest = right }
                if smallest == parent { break }
                items.swapAt(parent, smallest)
                parent = smallest
            }
        }
        return top
    }
}

/// A bounded, thread-safe memo of finished words, as transformers' `CLIPTokenizer.cache`
/// (which is unbounded; this one is emptied when full so untrusted input cannot grow it forever).
final class BytePairCache: Sendable {
    static let capacity = 32_768
    private let storage = Mutex<[[UInt8]: [Int32]]>([:])

    func value(for key: [UInt8]) -> [Int32]? {
        storage.withLock { $0[key] }
    }

    func store(_ value: [Int32], for key: [UInt8]) {
        storage.withLock { table in
            if table.count >= Self.capacity { table.removeAll(keepingCapacity: true) }
            table[key] = value
        }
    }
}
