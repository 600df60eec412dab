//! A small namespace-blind element tree over `quick-xml`, enough to read
//! POX Autodiscover and EWS SOAP answers.
//!
//! Elements and attributes are matched by local name: Exchange's prefixes
//! vary between versions (`s:`/`soap:`, `m:`/none), and the few names we
//! read are unambiguous within each document.

use quick_xml::Reader;
use quick_xml::events::{BytesStart, Event};

/// One element: local name, attributes (local names), text and children.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub(crate) struct Element {
    pub name: String,
    pub attrs: Vec<(String, String)>,
    /// Concatenated character data directly inside this element, unescaped.
    pub text: String,
    pub children: Vec<Element>,
}

impl Element {
    /// First child with this local name.
    pub fn child(&self, name: &str) -> Option<&Element> {
        self.children.iter().find(|c| c.name == name)
    }

    /// Every child with this local name.
    pub fn children_named<'a>(&'a self, name: &'a str) -> impl Iterator<Item = &'a Element> {
        self.children.iter().filter(move |c| c.name == name)
    }

    /// Follows a path of child names.
    pub fn path(&self, names: &[&str]) -> Option<&Element> {
        names.iter().try_fold(self, |e, n| e.child(n))
    }

    /// Trimmed text of the child at `names`, if present and non-empty.
    pub fn text_at(&self, names: &[&str]) -> Option<String> {
        let t = self.path(names)?.text.trim();
        (!t.is_empty()).then(|| t.to_string())
    }

    pub fn attr(&self, name: &str) -> Option<&str> {
        self.attrs
            .iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.as_str())
    }

    /// First descendant (depth-first, self included) with this local name.
    pub fn find(&self, name: &str) -> Option<&Element> {
        if self.name == name {
            return Some(self);
        }
        self.children.iter().find_map(|c| c.find(name))
    }
}

/// Parses a whole document into its root element; `None` if it isn't
/// well-formed XML (an HTML error page, a truncated body…).
pub(crate) fn parse(xml: &str) -> Option<Element> {
    let mut reader = Reader::from_str(xml);
    reader.config_mut().check_end_names = true;
    let mut stack: Vec<Element> = Vec::new();
    loop {
        match reader.read_event().ok()? {
            Event::Start(start) => stack.push(open(&start)?),
            Event::Empty(start) => {
                let element = open(&start)?;
                match stack.last_mut() {
                    Some(parent) => parent.children.push(element),
                    None => return Some(element),
                }
            }
            Event::End(_) => {
                let done = stack.pop()?;
                match stack.last_mut() {
                    Some(parent) => parent.children.push(done),
                    None => return Some(done),
                }
            }
            Event::Text(text) => {
                if let Some(top) = stack.last_mut() {
                    top.text.push_str(&text.decode().ok()?);
                }
            }
            Event::CData(data) => {
                if let Some(top) = stack.last_mut() {
                    top.text.push_str(&data.decode().ok()?);
                }
            }
            Event::GeneralRef(reference) => {
                let top = stack.last_mut()?;
                if let Some(ch) = reference.resolve_char_ref().ok()? {
                    top.text.push(ch);
                } else {
                    let name = reference.decode().ok()?;
                    top.text
                        .push_str(quick_xml::escape::resolve_predefined_entity(&name)?);
                }
            }
            Event::Eof => return None,
            Event::Decl(_) | Event::PI(_) | Event::Comment(_) | Event::DocType(_) => {}
        }
    }
}

fn open(start: &BytesStart) -> Option<Element> {
    let name = local(start.name().local_name().as_ref());
    let mut attrs = Vec::new();
    for attr in start.attributes() {
        let attr = attr.ok()?;
        if attr.key.as_namespace_binding().is_some() {
            continue;
        }
        let key = local(attr.key.local_name().as_ref());
        attrs.push((key, attr.unescape_value().ok()?.into_owned()));
    }
    Some(Element {
        name,
        attrs,
        ..Element::default()
    })
}

fn local(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

/// Escapes a value for element text or a double-quoted attribute.
pub(crate) fn escape(value: &str) -> std::borrow::Cow<'_, str> {
    quick_xml::escape::escape(value)
}
