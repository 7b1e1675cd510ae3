// The Unicode facts of the reference interpreter. transformers' CLIPTokenizer runs on CPython
// 3.11, whose `unicodedata` is Unicode 14.0.0: its `str.isspace`, `str.strip`, `str.split`,
// `str.lower` and `unicodedata.category` decide how text is cleaned. These helpers reproduce them
// on Unicode scalars (Python strings are sequences of code points, not of grapheme clusters).

/// CPython 3.11's view of Unicode, for the code the CLIP tokenizer mirrors.
public enum PythonUnicode {
    /// The Unicode version of CPython 3.11's `unicodedata` (`unicodedata.unidata_version`).
    public static let unicodeVersion = (major: 14, minor: 0)

    /// `unicodedata.category` as CPython 3.11 answers it: scalars assigned after Unicode 14.0
    /// (which Swift's newer tables know) are still unassigned (`Cn`) there.
    public static func generalCategory(_ scalar: Unicode.Scalar) -> Unicode.GeneralCategory {
        let properties = scalar.properties
        guard let age = properties.age,
            age.major < unicodeVersion.major
                || (age.major == unicodeVersion.major && age.minor <= unicodeVersion.minor)
        else { return .unassigned }
        return properties.generalCategory
    }

    /// `str.isspace` for one code point: the White_Space property plus U+001C…U+001F.
    public static func isSpace(_ scalar: Unicode.Scalar) -> Bool {
        let value = scalar.value
        if value < 0x80 { return (0x09...0x0D).contains(value) || (0x1C...0x20).contains(value) }
        return scalar.properties.isWhitespace
    }

    /// `str.strip()`.
    public static func strip<C: BidirectionalCollection<Unicode.Scalar>>(_ text: C) -> C.SubSequence {
        guard let first = text.firstIndex(where: { !isSpace($0) }),
            let last = text.lastIndex(where: { !isSpace($0) })
        else { return text[text.endIndex...] }
        return text[first...last]
    }

    /// `str.split()` with no separator: runs of whitespace separate, empty pieces are dropped.
    public static func split<C: Collection<Unicode.Scalar>>(_ text: C) -> [C.SubSequence] {
        text.split(whereSeparator: isSpace)
    }

    /// `str.lower()`: each code point's full lowercase mapping, with capital sigma becoming the
    /// final form ς when it ends a word (Unicode's Final_Sigma context, as CPython implements it).
    public static func lowercased(_ text: [Unicode.Scalar]) -> [Unicode.Scalar] {
        var output: [Unicode.Scalar] = []
        output.reserveCapacity(text.count)
        for (index, scalar) in text.enumerated() {
            if scalar.value < 0x80 {
                output.append((0x41...0x5A).contains(scalar.value) ? Unicode.Scalar(scalar.value + 32)! : scalar)
            } else if scalar.value == 0x3A3 {
                output.append(isFinalSigma(text, at: index) ? "\u{3C2}" : "\u{3C3}")
            } else {
                output.append(contentsOf: scalar.properties.lowercaseMapping.unicodeScalars)
            }
        }
        return output
    }

    /// CPython's `handle_capital_sigma`: a cased letter (skipping case-ignorables) before, and no
    /// cased letter (skipping case-ignorables) after.
    private static func isFinalSigma(_ text: [Unicode.Scalar], at index: Int) -> Bool {
        var before = index - 1
        while before >= 0, text[before].properties.isCaseIgnorable { before -= 1 }
        guard before >= 0, text[before].properties.isCased else { return false }
        var after = index + 1
        while after < text.count, text[after].properties.isCaseIgnorable { after += 1 }
        return after == text.count || !text[after].properties.isCased
    }
}
