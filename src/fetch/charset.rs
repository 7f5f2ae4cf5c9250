//! Bytes → text with the right charset, trusting declarations only as far as the bytes agree.
//!
//! Real Swedish feeds are served as ISO-8859-1 or windows-1252 under a UTF-8 prolog (and the reverse),
//! so a declaration is a hint checked against the bytes, not a fact.

use encoding_rs::{Encoding, UTF_8, WINDOWS_1252};

/// Decodes `bytes`, using (in order) a BOM, the declared charsets if the bytes agree, and detection.
/// Returns the text and the name of the encoding used.
pub fn decode(bytes: &[u8], content_type: Option<&str>) -> (String, &'static str) {
    if let Some((enc, bom_len)) = Encoding::for_bom(bytes) {
        let (text, _) = enc.decode_without_bom_handling(&bytes[bom_len..]);
        return (text.into_owned(), enc.name());
    }
    let declared = content_type
        .and_then(charset_param)
        .or_else(|| declared_in_document(bytes))
        .and_then(|label| Encoding::for_label(label.as_bytes()));
    let valid_utf8 = std::str::from_utf8(bytes).is_ok();
    let enc = match declared {
        // UTF-16 declared on bytes without a BOM is almost always a lie by a template.
        Some(enc) if enc == UTF_8 || enc.name().starts_with("UTF-16") => {
            if valid_utf8 {
                UTF_8
            } else {
                detect(bytes)
            }
        }
        // A legacy charset declared over bytes that are valid, non-ASCII UTF-8: the bytes win.
        Some(_) if valid_utf8 && !bytes.is_ascii() => UTF_8,
        Some(enc) => enc,
        None if valid_utf8 => UTF_8,
        None => detect(bytes),
    };
    let (text, _) = enc.decode_without_bom_handling(bytes);
    (text.into_owned(), enc.name())
}

fn detect(bytes: &[u8]) -> &'static Encoding {
    let mut det = chardetng::EncodingDetector::new(chardetng::Iso2022JpDetection::Deny);
    det.feed(bytes, true);
    let guess = det.guess(Some(b"se"), chardetng::Utf8Detection::Deny);
    // chardetng may answer UTF-8 for invalid UTF-8; decoding that would only add U+FFFD.
    if guess == UTF_8 {
        WINDOWS_1252
    } else {
        guess
    }
}

fn charset_param(content_type: &str) -> Option<String> {
    content_type.split(';').skip(1).find_map(|p| {
        let (k, v) = p.split_once('=')?;
        k.trim().eq_ignore_ascii_case("charset").then(|| v.trim().trim_matches(|c| c == '"' || c == '\'').to_string())
    })
}

/// The XML prolog's `encoding="…"` or an HTML `<meta charset>` near the start of the document.
fn declared_in_document(bytes: &[u8]) -> Option<String> {
    let head = &bytes[..bytes.len().min(2048)];
    let head = String::from_utf8_lossy(head).to_ascii_lowercase();
    for key in ["encoding=", "charset="] {
        if let Some(pos) = head.find(key) {
            let rest = head[pos + key.len()..].trim_start_matches(['"', '\'', ' ']);
            let value: String =
                rest.chars().take_while(|c| c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | ':' | '.')).collect();
            if !value.is_empty() {
                return Some(value);
            }
        }
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn latin1_under_utf8_prolog_is_detected() {
        let mut bytes = b"<?xml version=\"1.0\" encoding=\"UTF-8\"?><t>".to_vec();
        bytes.extend_from_slice(b"Skjutning i V\xe4xj\xf6, r\xe4ddningstj\xe4nsten p\xe5 plats</t>");
        let (text, enc) = decode(&bytes, Some("application/rss+xml; charset=utf-8"));
        assert!(text.contains("Växjö"), "{text}");
        assert!(text.contains("på plats"));
        assert_eq!(enc, "windows-1252");
    }

    #[test]
    fn utf8_under_latin1_declaration_stays_utf8() {
        let bytes = "<?xml version=\"1.0\" encoding=\"ISO-8859-1\"?><t>Växjö</t>".as_bytes();
        let (text, enc) = decode(bytes, None);
        assert!(text.contains("Växjö"));
        assert_eq!(enc, "UTF-8");
    }

    #[test]
    fn honest_latin1_is_decoded() {
        let bytes = b"<?xml version=\"1.0\" encoding=\"iso-8859-1\"?><t>\xc5sa i \xd6rebro</t>";
        let (text, _) = decode(bytes, Some("text/xml"));
        assert!(text.contains("Åsa i Örebro"), "{text}");
    }

    #[test]
    fn header_charset_is_read() {
        assert_eq!(charset_param("text/html; Charset=\"ISO-8859-1\"").as_deref(), Some("ISO-8859-1"));
        assert_eq!(charset_param("text/html"), None);
    }
}
