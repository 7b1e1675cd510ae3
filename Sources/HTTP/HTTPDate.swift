import Foundation

/// Formats the `Date` header in IMF-fixdate (RFC 9110 §5.6.7), caching the text
/// for the current second so a busy connection does not format on every response.
enum HTTPDate {
    private static let cache = DateCache()

    static func now() -> String { cache.current() }

    private final class DateCache: @unchecked Sendable {
        // Guarded by `lock`; formatting is the only work done inside.
        private let lock = NSLock()
        private var second = 0
        private var text = ""

        func current() -> String {
            var now = time(nil)
            lock.lock()
            defer { lock.unlock() }
            if now != second || text.isEmpty {
                second = now
                var parts = tm()
                gmtime_r(&now, &parts)
                let days = ["Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"]
                let months = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"]
                text = String(
                    format: "%@, %02d %@ %04d %02d:%02d:%02d GMT",
                    days[Int(parts.tm_wday)], parts.tm_mday, months[Int(parts.tm_mon)],
                    Int(parts.tm_year) + 1900, parts.tm_hour, parts.tm_min, parts.tm_sec
                )
            }
            return text
        }
    }
}
