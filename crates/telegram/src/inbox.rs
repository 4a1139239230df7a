//! A batch of fetched updates as the adapter keeps it in the store's inbox
//! until they are handled: the updates' JSON texts, as Telegram sent them.
//!
//! With the batch kept (sealed, by the store), the next poll may confirm
//! the updates to Telegram at once, and fetch more while they are handled:
//! after a crash they come from the inbox, not from Telegram.

/// The adapter's name in the store's inbox.
pub(crate) const NAME: &str = "telegram";

/// The stored form of a batch: each update's JSON text, with its length
/// (4 bytes, big-endian) in front.
pub(crate) fn encode<'a>(texts: impl IntoIterator<Item = &'a str>) -> Vec<u8> {
    let mut out = Vec::new();
    for text in texts {
        let len = u32::try_from(text.len()).unwrap_or(u32::MAX);
        out.extend_from_slice(&len.to_be_bytes());
        out.extend_from_slice(&text.as_bytes()[..len as usize]);
    }
    out
}

/// The JSON texts of a stored batch; `None` when it is not one.
pub(crate) fn decode(mut bytes: &[u8]) -> Option<Vec<&str>> {
    let mut texts = Vec::new();
    while !bytes.is_empty() {
        let len = u32::from_be_bytes(bytes.get(..4)?.try_into().ok()?) as usize;
        let text = bytes.get(4..4 + len)?;
        texts.push(std::str::from_utf8(text).ok()?);
        bytes = &bytes[4 + len..];
    }
    Some(texts)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_batch_reads_back() {
        let texts = [r#"{"update_id":1}"#, "", "{\"text\":\"ä\"}"];
        let bytes = encode(texts);
        assert_eq!(decode(&bytes).unwrap(), texts);
        assert_eq!(decode(&[]).unwrap(), Vec::<&str>::new());
    }

    #[test]
    fn a_cut_or_foreign_batch_is_refused() {
        let bytes = encode([r#"{"update_id":1}"#]);
        assert!(decode(&bytes[..bytes.len() - 1]).is_none());
        assert!(decode(&[0, 0]).is_none());
        assert!(decode(&[0, 0, 0, 1, 0xff]).is_none(), "not UTF-8");
    }
}
