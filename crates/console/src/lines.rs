//! Bounded line reading: a line of megabytes costs at most `MAX_LINE` bytes.

use std::io::{self, BufRead};

/// The longest line handed to the bot, in bytes; longer lines are skipped.
pub const MAX_LINE: usize = 64 * 1024;

/// One line of input, classified.
#[derive(Debug, PartialEq, Eq)]
pub enum Line {
    /// A line of text (without its line ending).
    Text(String),
    /// A line with nothing but whitespace.
    Empty,
    /// A line longer than the limit; its length in bytes.
    TooLong(usize),
    /// A line that is not valid UTF-8.
    NotUtf8,
}

/// Reads the next line, keeping at most `limit` bytes of it in memory.
///
/// Returns `None` at end of input.
///
/// # Errors
/// When reading fails.
pub fn read_line(input: &mut impl BufRead, limit: usize) -> io::Result<Option<Line>> {
    let mut kept = Vec::new();
    let mut total = 0usize;
    let mut saw_any = false;
    let mut last: Option<u8> = None;
    loop {
        let buf = match input.fill_buf() {
            Ok(buf) => buf,
            Err(e) if e.kind() == io::ErrorKind::Interrupted => continue,
            Err(e) => return Err(e),
        };
        if buf.is_empty() {
            if !saw_any {
                return Ok(None);
            }
            break;
        }
        saw_any = true;
        let (chunk, found_end) = match buf.iter().position(|&b| b == b'\n') {
            Some(i) => (&buf[..i], Some(i)),
            None => (buf, None),
        };
        if let Some(&byte) = chunk.last() {
            last = Some(byte);
        }
        total += chunk.len();
        // One byte over the limit is kept, so that a line of exactly the
        // limit ending in `\r\n` is not mistaken for a longer one.
        if total <= limit + 1 {
            kept.extend_from_slice(chunk);
        }
        let used = found_end.map_or(chunk.len(), |i| i + 1);
        input.consume(used);
        if found_end.is_some() {
            break;
        }
    }
    if last == Some(b'\r') {
        total = total.saturating_sub(1);
        if kept.last() == Some(&b'\r') {
            kept.pop();
        }
    }
    if total > limit {
        return Ok(Some(Line::TooLong(total)));
    }
    let Ok(text) = String::from_utf8(kept) else {
        return Ok(Some(Line::NotUtf8));
    };
    if text.trim().is_empty() {
        return Ok(Some(Line::Empty));
    }
    Ok(Some(Line::Text(text)))
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::io::Cursor;

    fn lines(input: &[u8], limit: usize) -> Vec<Line> {
        let mut cursor = Cursor::new(input.to_vec());
        let mut out = Vec::new();
        while let Some(line) = read_line(&mut cursor, limit).unwrap() {
            out.push(line);
        }
        out
    }

    #[test]
    fn classifies_lines() {
        let input = b"hello\r\n\n   \n\xff\xfe\nlast";
        assert_eq!(
            lines(input, 100),
            vec![
                Line::Text("hello".into()),
                Line::Empty,
                Line::Empty,
                Line::NotUtf8,
                Line::Text("last".into()),
            ]
        );
    }

    #[test]
    fn skips_long_lines_without_keeping_them() {
        let mut input = vec![b'x'; 5 * 1024 * 1024];
        input.extend_from_slice(b"\nafter\n");
        let mut cursor = std::io::BufReader::with_capacity(8192, Cursor::new(input));
        assert_eq!(
            read_line(&mut cursor, MAX_LINE).unwrap(),
            Some(Line::TooLong(5 * 1024 * 1024))
        );
        assert_eq!(
            read_line(&mut cursor, MAX_LINE).unwrap(),
            Some(Line::Text("after".into()))
        );
        assert_eq!(read_line(&mut cursor, MAX_LINE).unwrap(), None);
    }

    #[test]
    fn a_crlf_line_at_the_limit_is_kept() {
        let input = format!("{}\r\nnext\r\n", "z".repeat(10));
        assert_eq!(
            lines(input.as_bytes(), 10),
            vec![Line::Text("z".repeat(10)), Line::Text("next".into())]
        );
        let long = format!("{}\r\n", "z".repeat(11));
        assert_eq!(lines(long.as_bytes(), 10), vec![Line::TooLong(11)]);
    }

    #[test]
    fn a_line_at_the_limit_is_kept() {
        let input = format!("{}\n", "y".repeat(10));
        assert_eq!(
            lines(input.as_bytes(), 10),
            vec![Line::Text("y".repeat(10))]
        );
        assert_eq!(lines(input.as_bytes(), 9), vec![Line::TooLong(10)]);
    }
}
