//! A small namespace-aware XML tree for reading SOAP and POX requests, and escaping for
//! writing responses. Fakes match elements by (namespace URI, local name), never by prefix.

use quick_xml::NsReader;
use quick_xml::events::Event;
use quick_xml::name::ResolveResult;

pub const SOAP: &str = "http://schemas.xmlsoap.org/soap/envelope/";
pub const MESSAGES: &str = "http://schemas.microsoft.com/exchange/services/2006/messages";
pub const TYPES: &str = "http://schemas.microsoft.com/exchange/services/2006/types";

#[derive(Debug, Clone, Default, PartialEq)]
pub struct Element {
    /// Namespace URI ("" when none).
    pub ns: String,
    pub name: String,
    /// Attributes by local name (namespaced attributes lose their prefix), unescaped.
    pub attrs: Vec<(String, String)>,
    pub children: Vec<Element>,
    /// Concatenated, unescaped character data directly inside the element.
    pub text: String,
}

impl Element {
    pub fn is(&self, ns: &str, name: &str) -> bool {
        self.ns == ns && self.name == name
    }

    pub fn attr(&self, name: &str) -> Option<&str> {
        self.attrs
            .iter()
            .find(|(n, _)| n == name)
            .map(|(_, v)| v.as_str())
    }

    /// First child with that namespace and local name.
    pub fn child(&self, ns: &str, name: &str) -> Option<&Element> {
        self.children.iter().find(|c| c.is(ns, name))
    }

    pub fn children_named<'a>(
        &'a self,
        ns: &'a str,
        name: &'a str,
    ) -> impl Iterator<Item = &'a Element> + 'a {
        self.children.iter().filter(move |c| c.is(ns, name))
    }

    /// Follows a path of (namespace, name) steps through first matches.
    pub fn path(&self, steps: &[(&str, &str)]) -> Option<&Element> {
        steps
            .iter()
            .try_fold(self, |el, (ns, name)| el.child(ns, name))
    }

    /// First descendant (depth first, self excluded) with that namespace and name.
    pub fn find(&self, ns: &str, name: &str) -> Option<&Element> {
        self.children.iter().find_map(|c| {
            if c.is(ns, name) {
                Some(c)
            } else {
                c.find(ns, name)
            }
        })
    }
}

/// Parses a document into its root element.
pub fn parse(bytes: &[u8]) -> Result<Element, String> {
    let text = std::str::from_utf8(bytes).map_err(|e| format!("not UTF-8: {e}"))?;
    let text = text.trim_start_matches('\u{feff}');
    let mut reader = NsReader::from_str(text);
    let mut stack: Vec<Element> = Vec::new();
    let mut root = None;
    loop {
        let (resolved, event) = reader.read_resolved_event().map_err(|e| e.to_string())?;
        let ns = match resolved {
            ResolveResult::Bound(ns) => String::from_utf8_lossy(ns.as_ref()).into_owned(),
            ResolveResult::Unbound => String::new(),
            ResolveResult::Unknown(p) => {
                return Err(format!("unknown prefix {:?}", String::from_utf8_lossy(&p)));
            }
        };
        match event {
            Event::Start(ref e) | Event::Empty(ref e) => {
                let mut el = Element {
                    ns,
                    name: String::from_utf8_lossy(e.local_name().as_ref()).into_owned(),
                    ..Element::default()
                };
                for a in e.attributes() {
                    let a = a.map_err(|e| e.to_string())?;
                    if a.key.as_namespace_binding().is_some() {
                        continue;
                    }
                    let value = a.unescape_value().map_err(|e| e.to_string())?;
                    el.attrs.push((
                        String::from_utf8_lossy(a.key.local_name().as_ref()).into_owned(),
                        value.into_owned(),
                    ));
                }
                if matches!(event, Event::Start(_)) {
                    stack.push(el);
                } else {
                    close(&mut stack, &mut root, el)?;
                }
            }
            Event::End(_) => {
                let el = stack.pop().ok_or("unbalanced end tag")?;
                close(&mut stack, &mut root, el)?;
            }
            Event::Text(t) => {
                if let Some(top) = stack.last_mut() {
                    top.text.push_str(&t.decode().map_err(|e| e.to_string())?);
                }
            }
            Event::CData(t) => {
                if let Some(top) = stack.last_mut() {
                    top.text.push_str(&t.decode().map_err(|e| e.to_string())?);
                }
            }
            Event::GeneralRef(r) => {
                let top = stack.last_mut();
                let c = match r.resolve_char_ref().map_err(|e| e.to_string())? {
                    Some(c) => c,
                    None => match r.decode().map_err(|e| e.to_string())?.as_ref() {
                        "amp" => '&',
                        "lt" => '<',
                        "gt" => '>',
                        "quot" => '"',
                        "apos" => '\'',
                        other => return Err(format!("unknown entity &{other};")),
                    },
                };
                if let Some(top) = top {
                    top.text.push(c);
                }
            }
            Event::Eof => break,
            _ => {}
        }
    }
    if !stack.is_empty() {
        return Err("unclosed element".into());
    }
    root.ok_or_else(|| "no root element".into())
}

fn close(stack: &mut [Element], root: &mut Option<Element>, el: Element) -> Result<(), String> {
    match stack.last_mut() {
        Some(parent) => parent.children.push(el),
        None if root.is_none() => *root = Some(el),
        None => return Err("more than one root element".into()),
    }
    Ok(())
}

/// Escapes text and attribute values.
pub fn escape(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&apos;"),
            c => out.push(c),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_namespaces_attributes_and_entities() {
        let doc = r#"<?xml version="1.0"?><s:Envelope xmlns:s="http://schemas.xmlsoap.org/soap/envelope/" xmlns:t="http://schemas.microsoft.com/exchange/services/2006/types"><s:Body><t:X Id="a&amp;b" xmlns="urn:d"><y>1 &lt; 2 &#233;</y></t:X></s:Body></s:Envelope>"#;
        let root = parse(doc.as_bytes()).unwrap();
        assert!(root.is(SOAP, "Envelope"));
        let x = root.path(&[(SOAP, "Body"), (TYPES, "X")]).unwrap();
        assert_eq!(x.attr("Id"), Some("a&b"));
        assert_eq!(x.child("urn:d", "y").unwrap().text, "1 < 2 é");
        assert!(root.find("urn:d", "y").is_some());
        assert!(parse(b"<a><b></a>").is_err());
        assert!(parse(b"<p:a/>").is_err());
        assert_eq!(escape("<&\"'>"), "&lt;&amp;&quot;&apos;&gt;");
    }
}
