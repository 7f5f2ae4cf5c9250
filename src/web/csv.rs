//! CSV for spreadsheets: RFC 4180 quoting, and cells that a spreadsheet would run as a formula
//! (`=`, `+`, `-`, `@` first, not a number) are defused, because feed text is written by strangers.

pub(crate) fn field(s: &str) -> String {
    let formula = s.starts_with(['=', '+', '-', '@', '\t', '\r']) && s.parse::<f64>().is_err();
    let defused = if formula { format!("'{s}") } else { s.to_string() };
    if defused.contains([',', '"', '\n', '\r', ';']) {
        format!("\"{}\"", defused.replace('"', "\"\""))
    } else {
        defused
    }
}

pub(crate) fn line(fields: &[&str]) -> String {
    let mut s = fields.iter().map(|f| field(f)).collect::<Vec<_>>().join(",");
    s.push_str("\r\n");
    s
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn quotes_and_defuses() {
        assert_eq!(line(&["a", "b,c", "say \"hi\""]), "a,\"b,c\",\"say \"\"hi\"\"\"\r\n");
        assert_eq!(field("=HYPERLINK(\"x\")"), "\"'=HYPERLINK(\"\"x\"\")\"");
        assert_eq!(field("-0.8"), "-0.8", "numbers stay numbers");
        assert_eq!(field("-cmd"), "'-cmd");
    }
}
