//! Repairs the XML that real feeds send: bare `&` and HTML-only entities such as `&nbsp;` or `&auml;`,
//! which a strict XML parser rejects and which would otherwise cost us the whole feed.

/// HTML named entities seen in news feeds, with their code points. XML's own five are left alone.
const NAMED: &[(&str, u32)] = &[
    ("nbsp", 160),
    ("iexcl", 161),
    ("cent", 162),
    ("pound", 163),
    ("euro", 8364),
    ("yen", 165),
    ("sect", 167),
    ("uml", 168),
    ("copy", 169),
    ("ordf", 170),
    ("laquo", 171),
    ("not", 172),
    ("shy", 173),
    ("reg", 174),
    ("deg", 176),
    ("plusmn", 177),
    ("sup2", 178),
    ("sup3", 179),
    ("acute", 180),
    ("micro", 181),
    ("para", 182),
    ("middot", 183),
    ("raquo", 187),
    ("frac14", 188),
    ("frac12", 189),
    ("frac34", 190),
    ("iquest", 191),
    ("times", 215),
    ("divide", 247),
    ("Agrave", 192),
    ("Aacute", 193),
    ("Acirc", 194),
    ("Atilde", 195),
    ("Auml", 196),
    ("Aring", 197),
    ("AElig", 198),
    ("Ccedil", 199),
    ("Egrave", 200),
    ("Eacute", 201),
    ("Ecirc", 202),
    ("Euml", 203),
    ("Iacute", 205),
    ("Ntilde", 209),
    ("Oacute", 211),
    ("Ocirc", 212),
    ("Ouml", 214),
    ("Oslash", 216),
    ("Uacute", 218),
    ("Uuml", 220),
    ("szlig", 223),
    ("agrave", 224),
    ("aacute", 225),
    ("acirc", 226),
    ("atilde", 227),
    ("auml", 228),
    ("aring", 229),
    ("aelig", 230),
    ("ccedil", 231),
    ("egrave", 232),
    ("eacute", 233),
    ("ecirc", 234),
    ("euml", 235),
    ("igrave", 236),
    ("iacute", 237),
    ("icirc", 238),
    ("iuml", 239),
    ("ntilde", 241),
    ("ograve", 242),
    ("oacute", 243),
    ("ocirc", 244),
    ("otilde", 245),
    ("ouml", 246),
    ("oslash", 248),
    ("ugrave", 249),
    ("uacute", 250),
    ("ucirc", 251),
    ("uuml", 252),
    ("yacute", 253),
    ("yuml", 255),
    ("ndash", 8211),
    ("mdash", 8212),
    ("lsquo", 8216),
    ("rsquo", 8217),
    ("sbquo", 8218),
    ("ldquo", 8220),
    ("rdquo", 8221),
    ("bdquo", 8222),
    ("hellip", 8230),
    ("bull", 8226),
    ("prime", 8242),
    ("trade", 8482),
    ("larr", 8592),
    ("rarr", 8594),
    ("thinsp", 8201),
    ("ensp", 8194),
    ("emsp", 8195),
    ("zwnj", 8204),
    ("zwj", 8205),
    ("lrm", 8206),
    ("rlm", 8207),
    ("minus", 8722),
];

const XML_NAMED: &[(&str, char)] = &[("amp", '&'), ("lt", '<'), ("gt", '>'), ("quot", '"'), ("apos", '\'')];

fn named(name: &str) -> Option<char> {
    NAMED.iter().find(|(n, _)| *n == name).and_then(|(_, c)| char::from_u32(*c))
}

/// Length of a well-formed reference starting at `s[0] == '&'` (including `;`), and its name or number.
fn reference(s: &str) -> Option<(usize, &str)> {
    let body = &s[1..];
    let end = body.char_indices().take(33).find(|(_, c)| *c == ';').map(|(i, _)| i)?;
    let name = &body[..end];
    let ok = if let Some(num) = name.strip_prefix('#') {
        match num.strip_prefix(['x', 'X']) {
            Some(hex) => !hex.is_empty() && hex.chars().all(|c| c.is_ascii_hexdigit()),
            None => !num.is_empty() && num.chars().all(|c| c.is_ascii_digit()),
        }
    } else {
        name.chars().next().is_some_and(|c| c.is_ascii_alphabetic()) && name.chars().all(|c| c.is_ascii_alphanumeric())
    };
    ok.then_some((end + 2, name))
}

/// Makes feed XML acceptable to a strict parser without changing what it says.
/// CDATA sections are copied untouched: `&` is legal there.
pub fn repair_xml(xml: &str) -> String {
    let mut out = String::with_capacity(xml.len() + 64);
    let mut rest = xml;
    while let Some(pos) = rest.find(['&', '<']) {
        out.push_str(&rest[..pos]);
        rest = &rest[pos..];
        if rest.starts_with("<![CDATA[") {
            let end = rest.find("]]>").map(|e| e + 3).unwrap_or(rest.len());
            out.push_str(&rest[..end]);
            rest = &rest[end..];
        } else if rest.starts_with('<') {
            out.push('<');
            rest = &rest[1..];
        } else {
            match reference(rest) {
                Some((len, name)) if name.starts_with('#') || XML_NAMED.iter().any(|(n, _)| *n == name) => {
                    out.push_str(&rest[..len]);
                    rest = &rest[len..];
                }
                Some((len, name)) => {
                    match named(name) {
                        Some(c) => out.push_str(&format!("&#{};", c as u32)),
                        // An unknown name stays visible as text rather than breaking the feed.
                        None => {
                            out.push_str("&amp;");
                            out.push_str(&rest[1..len]);
                        }
                    }
                    rest = &rest[len..];
                }
                None => {
                    out.push_str("&amp;");
                    rest = &rest[1..];
                }
            }
        }
    }
    out.push_str(rest);
    out
}

/// Decodes HTML character references in plain text (titles often arrive escaped twice).
pub fn decode_html_entities(text: &str) -> String {
    if !text.contains('&') {
        return text.to_string();
    }
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    while let Some(pos) = rest.find('&') {
        out.push_str(&rest[..pos]);
        rest = &rest[pos..];
        let decoded = reference(rest).and_then(|(len, name)| {
            let c = if let Some(num) = name.strip_prefix('#') {
                match num.strip_prefix(['x', 'X']) {
                    Some(hex) => u32::from_str_radix(hex, 16).ok().and_then(char::from_u32),
                    None => num.parse().ok().and_then(char::from_u32),
                }
            } else {
                XML_NAMED.iter().find(|(n, _)| *n == name).map(|(_, c)| *c).or_else(|| named(name))
            };
            c.map(|c| (len, c))
        });
        match decoded {
            Some((len, c)) => {
                out.push(c);
                rest = &rest[len..];
            }
            None => {
                out.push('&');
                rest = &rest[1..];
            }
        }
    }
    out.push_str(rest);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bare_ampersand_and_html_entities_are_repaired() {
        let xml = "<title>Polis &amp; r&auml;ddning: Q&A&nbsp;i Araby &#228; &foo;</title>";
        assert_eq!(repair_xml(xml), "<title>Polis &amp; r&#228;ddning: Q&amp;A&#160;i Araby &#228; &amp;foo;</title>");
    }

    #[test]
    fn cdata_is_untouched() {
        let xml = "<d><![CDATA[a & b &nbsp;]]></d>";
        assert_eq!(repair_xml(xml), xml);
    }

    #[test]
    fn text_entities_decode() {
        assert_eq!(decode_html_entities("R&ouml;d &amp; vit&hellip; &#x41;&#66; & x"), "Röd & vit… AB & x");
    }
}
