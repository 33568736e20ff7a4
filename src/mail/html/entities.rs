//! HTML character references: numeric ones and the named ones mail really uses.

/// Decode `&name;`, `&#NN;` and `&#xHH;`. Unknown entities stay as written.
pub(super) fn decode_entities(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    while let Some(amp) = rest.find('&') {
        out.push_str(&rest[..amp]);
        rest = &rest[amp..];
        let decoded = rest[1..]
            .find(';')
            .filter(|&semi| semi <= 32)
            .and_then(|semi| entity_char(&rest[1..=semi]).map(|c| (c, semi + 2)));
        match decoded {
            Some((c, consumed)) => {
                out.push(c);
                rest = &rest[consumed..];
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

fn entity_char(name: &str) -> Option<char> {
    if let Some(number) = name.strip_prefix('#') {
        let code = match number.strip_prefix(['x', 'X']) {
            Some(hex) => u32::from_str_radix(hex, 16).ok()?,
            None => number.parse().ok()?,
        };
        return char::from_u32(code).filter(|c| *c != '\0');
    }
    let c = match name {
        "amp" => '&',
        "lt" => '<',
        "gt" => '>',
        "quot" => '"',
        "apos" => '\'',
        // A non-breaking space reads as a space in plain text.
        "nbsp" | "ensp" | "emsp" | "thinsp" => ' ',
        "ndash" => '–',
        "mdash" => '—',
        "hellip" => '…',
        "lsquo" => '‘',
        "rsquo" => '’',
        "sbquo" => '‚',
        "ldquo" => '“',
        "rdquo" => '”',
        "bdquo" => '„',
        "laquo" => '«',
        "raquo" => '»',
        "bull" => '•',
        "middot" => '·',
        "euro" => '€',
        "pound" => '£',
        "yen" => '¥',
        "cent" => '¢',
        "copy" => '©',
        "reg" => '®',
        "trade" => '™',
        "deg" => '°',
        "times" => '×',
        "divide" => '÷',
        "iexcl" => '¡',
        "iquest" => '¿',
        "sect" => '§',
        "para" => '¶',
        _ => return latin1_letter(name),
    };
    Some(c)
}

/// Named Latin-1 letters (`&auml;`, `&Eacute;`, `&szlig;` …), common in European mail.
fn latin1_letter(name: &str) -> Option<char> {
    const LETTERS: &[(&str, char)] = &[
        ("szlig", 'ß'),
        ("aelig", 'æ'),
        ("AElig", 'Æ'),
        ("oslash", 'ø'),
        ("Oslash", 'Ø'),
        ("aring", 'å'),
        ("Aring", 'Å'),
        ("ccedil", 'ç'),
        ("Ccedil", 'Ç'),
        ("ntilde", 'ñ'),
        ("Ntilde", 'Ñ'),
        ("eth", 'ð'),
        ("thorn", 'þ'),
    ];
    if let Some(&(_, c)) = LETTERS.iter().find(|(n, _)| *n == name) {
        return Some(c);
    }
    // Vowel + accent names: "auml", "Eacute", "ocirc", "ugrave", "atilde".
    let mut chars = name.chars();
    let vowel = chars.next()?;
    let accent = chars.as_str();
    let composed: &[(char, &str, char)] = &[
        ('a', "uml", 'ä'),
        ('e', "uml", 'ë'),
        ('i', "uml", 'ï'),
        ('o', "uml", 'ö'),
        ('u', "uml", 'ü'),
        ('y', "uml", 'ÿ'),
        ('A', "uml", 'Ä'),
        ('E', "uml", 'Ë'),
        ('I', "uml", 'Ï'),
        ('O', "uml", 'Ö'),
        ('U', "uml", 'Ü'),
        ('Y', "uml", 'Ÿ'),
        ('a', "acute", 'á'),
        ('e', "acute", 'é'),
        ('i', "acute", 'í'),
        ('o', "acute", 'ó'),
        ('u', "acute", 'ú'),
        ('y', "acute", 'ý'),
        ('A', "acute", 'Á'),
        ('E', "acute", 'É'),
        ('I', "acute", 'Í'),
        ('O', "acute", 'Ó'),
        ('U', "acute", 'Ú'),
        ('Y', "acute", 'Ý'),
        ('a', "grave", 'à'),
        ('e', "grave", 'è'),
        ('i', "grave", 'ì'),
        ('o', "grave", 'ò'),
        ('u', "grave", 'ù'),
        ('A', "grave", 'À'),
        ('E', "grave", 'È'),
        ('I', "grave", 'Ì'),
        ('O', "grave", 'Ò'),
        ('U', "grave", 'Ù'),
        ('a', "circ", 'â'),
        ('e', "circ", 'ê'),
        ('i', "circ", 'î'),
        ('o', "circ", 'ô'),
        ('u', "circ", 'û'),
        ('A', "circ", 'Â'),
        ('E', "circ", 'Ê'),
        ('I', "circ", 'Î'),
        ('O', "circ", 'Ô'),
        ('U', "circ", 'Û'),
        ('a', "tilde", 'ã'),
        ('o', "tilde", 'õ'),
        ('A', "tilde", 'Ã'),
        ('O', "tilde", 'Õ'),
    ];
    composed
        .iter()
        .find(|(v, a, _)| *v == vowel && *a == accent)
        .map(|&(_, _, c)| c)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn numeric_and_named_references() {
        assert_eq!(
            decode_entities("&#228;&#xE4;&auml;&Eacute;&szlig;"),
            "äääÉß"
        );
        assert_eq!(
            decode_entities("&#0; &#xFFFFFFFF; &unknown; & alone"),
            "&#0; &#xFFFFFFFF; &unknown; & alone"
        );
    }
}
