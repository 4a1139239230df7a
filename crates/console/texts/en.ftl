# Texts of the console adapter, English.
console-note = note: { $text }
console-empty-line = empty line skipped
console-line-too-long = line of { $bytes } bytes skipped: the limit is { $limit } bytes
console-not-utf8 = line skipped: it is not valid UTF-8 text
console-no-button = there is no button #{ $number }; the last replies had { $count } buttons
console-file-saved = [file { $name }, { $bytes } bytes, saved to { $path }]
