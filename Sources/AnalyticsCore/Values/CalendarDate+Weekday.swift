extension CalendarDate {
    /// The day of the week: 0 Sunday, 1 Monday, ... 6 Saturday (cron's numbering).
    public var weekday: Int {
        // 1970-01-01 was a Thursday (4).
        let r = (Int(daysSinceEpoch) + 4) % 7
        return r < 0 ? r + 7 : r
    }
}
